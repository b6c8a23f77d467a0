document.documentElement.classList.replace("no-js", "js");

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
