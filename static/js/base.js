// The top bar's Store dropdown applies as soon as a store is picked.
document.getElementById("current-store")?.addEventListener("change", (event) => {
  event.target.form.submit();
});

// A text box with a maximum length counts its characters as they are typed.
document.querySelectorAll("textarea[maxlength]").forEach((box) => {
  const counter = document.createElement("div");
  counter.className = "form-text char-count";
  counter.id = `${box.id}-count`;
  counter.setAttribute("aria-live", "polite");
  const limit = Number(box.maxLength).toLocaleString("en-US");
  const update = () => {
    counter.textContent = `${box.value.length.toLocaleString("en-US")} of ${limit} characters`;
  };
  box.after(counter);
  box.setAttribute("aria-describedby", `${box.getAttribute("aria-describedby") || ""} ${counter.id}`.trim());
  box.addEventListener("input", update);
  update();
});

// "Show all" opens a clamped text in full, and "Show less" closes it again.
document.querySelectorAll("[data-unclamp]").forEach((button) => {
  const text = document.getElementById(button.dataset.unclamp);
  button.addEventListener("click", () => {
    const open = text.classList.toggle("clamped") === false;
    button.textContent = open ? "Show less" : "Show all";
    button.setAttribute("aria-expanded", String(open));
  });
});

// A form being filled in is not left by mistake: after a change not yet sent, leaving the
// page (a store picked in the top bar, a link, closing the tab) asks first.
document.querySelectorAll("form[data-warn-unsaved]").forEach((form) => {
  // Once sent, the form is never warned about again: a "change" event that fires after
  // the submit (a field losing focus as the page goes) would otherwise cancel the send.
  let changed = false;
  let sent = false;
  const mark = () => {
    changed = true;
  };
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  form.addEventListener("submit", () => {
    sent = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (changed && !sent) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
});
