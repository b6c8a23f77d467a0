// Show what applies and hide the rest, without reloading. Hidden inputs are disabled, so
// they are not submitted; the server ignores them anyway.
const showOnly = (container, visible) => {
  container.hidden = !visible;
  container.querySelectorAll("input, select, textarea").forEach((input) => {
    input.disabled = !visible;
  });
};

// Loyalty balance, reason and note: greyed out while "Enrolled" is not ticked (the balance
// is kept, and cannot be changed, outside the programme).
(() => {
  const enrolled = document.getElementById("id_loyalty_enrolled");
  const details = document.querySelector(".loyalty-details");
  if (!enrolled || !details) return;
  const sync = () => {
    details.querySelectorAll("input, select, textarea").forEach((field) => {
      field.disabled = !enrolled.checked;
    });
  };
  enrolled.addEventListener("change", sync);
  // Also when the browser shows the page again from its cache (Back after saving): the
  // checkbox may come back ticked while the script's last state hid the balance.
  window.addEventListener("pageshow", sync);
  sync();
})();

// Company fields for Business customers; gender, birth date, nationality for Personal.
(() => {
  const choices = [...document.querySelectorAll("input[name=customer_type]")];
  if (!choices.length) return;
  // A business needs a company name: its label carries the asterisk of a required field.
  const companyName = document.getElementById("id_company_name");
  const companyLabel = document.querySelector("label[for=id_company_name]");
  const sync = () => {
    const business = choices.find((choice) => choice.checked)?.value === "business";
    document.querySelectorAll(".business-only").forEach((el) => showOnly(el, business));
    document.querySelectorAll(".personal-only").forEach((el) => showOnly(el, !business));
    if (companyName && companyLabel) {
      companyName.required = business;
      let asterisk = companyLabel.querySelector(".asteriskField");
      if (business && !asterisk) {
        asterisk = document.createElement("span");
        asterisk.className = "asteriskField";
        asterisk.textContent = "*";
        // Right after the words, as the page draws it for a required field.
        const last = companyLabel.lastChild;
        if (last?.nodeType === Node.TEXT_NODE) last.textContent = last.textContent.trimEnd();
        companyLabel.append(asterisk);
      } else if (!business && asterisk) {
        asterisk.remove();
      }
    }
  };
  choices.forEach((choice) => choice.addEventListener("change", sync));
  window.addEventListener("pageshow", sync);
  sync();
})();

// One save per click: the button is disabled while the request is in flight, so a double
// click does not send the form twice; a page shown again from the cache gets it back.
(() => {
  const form = document.getElementById("customer-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!button) return;
    // After this event, so that the button's own name and value are still sent.
    setTimeout(() => { button.disabled = true; });
  });
  window.addEventListener("pageshow", () => {
    form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = false; });
  });
})();

// After a refused save, bring the error summary into view for keyboard and screen readers.
document.getElementById("error-summary")?.focus();

// The section links jump to a section. On a phone, once one is tapped, they work as tabs:
// one section shows at a time (until then the page is one long form, as on a desktop).
(() => {
  const links = [...document.querySelectorAll("[data-section-tabs] a")];
  const sections = links.map((link) => document.querySelector(link.hash));
  if (!links.length || sections.includes(null)) return;
  const phone = window.matchMedia("(max-width: 767.98px)");
  let current = null;
  const show = (index) => {
    current = index;
    sections.forEach((section, i) => section.classList.toggle("tab-inactive", i !== index));
    links.forEach((link, i) => {
      link.classList.toggle("active", i === index);
      if (i === index) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  };
  links.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      if (!phone.matches) return; // wider screens show every section: the link scrolls
      event.preventDefault();
      show(index);
    });
  });
  // A link of the error summary opens the tab that holds its field.
  document.querySelectorAll("#error-summary a[href^='#']").forEach((link) => {
    link.addEventListener("click", () => {
      const index = sections.findIndex((section) => section.contains(document.querySelector(link.hash)));
      if (current !== null && index >= 0) show(index);
    });
  });
})();

// A chosen photo is previewed before saving, in place of the current one. After a refused
// save, the photo kept from it shows instead, until another is chosen or it is dropped.
document.querySelectorAll("[data-photo-input]").forEach((input) => {
  const box = input.closest(".photo-input");
  const preview = box.querySelector("[data-photo-preview]");
  const current = box.querySelector("[data-photo-current]");
  const kept = box.querySelector("[data-photo-pending]");
  const keptNote = box.querySelector("[data-photo-pending-note]");
  const drop = box.querySelector("[data-photo-pending-drop]");
  const sync = () => {
    const file = input.files[0];
    const keptShown = Boolean(kept) && !file && !drop?.checked;
    preview.hidden = !file;
    if (kept) kept.hidden = !keptShown;
    if (keptNote) keptNote.hidden = !keptShown;
    if (current) current.hidden = Boolean(file) || keptShown;
  };
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (preview.src) URL.revokeObjectURL(preview.src);
    if (file) preview.src = URL.createObjectURL(file);
    sync();
  });
  drop?.addEventListener("change", sync);
});
