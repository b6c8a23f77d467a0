// Show what applies and hide the rest, without reloading. Hidden inputs are disabled, so
// they are not submitted; the server ignores them anyway.
const showOnly = (container, visible) => {
  container.hidden = !visible;
  container.querySelectorAll("input, select, textarea").forEach((input) => {
    input.disabled = !visible;
  });
};

// Loyalty balance and reason, while "Enrolled" is ticked.
(() => {
  const enrolled = document.getElementById("id_loyalty_enrolled");
  const details = document.querySelector(".loyalty-details");
  if (!enrolled || !details) return;
  const sync = () => showOnly(details, enrolled.checked);
  enrolled.addEventListener("change", sync);
  sync();
})();

// Company fields for Business customers; gender, birth date, nationality for Personal.
(() => {
  const choices = [...document.querySelectorAll("input[name=customer_type]")];
  if (!choices.length) return;
  const sync = () => {
    const business = choices.find((choice) => choice.checked)?.value === "business";
    document.querySelectorAll(".business-only").forEach((el) => showOnly(el, business));
    document.querySelectorAll(".personal-only").forEach((el) => showOnly(el, !business));
  };
  choices.forEach((choice) => choice.addEventListener("change", sync));
  sync();
})();

// After a refused save, bring the error summary into view for keyboard and screen readers.
document.getElementById("error-summary")?.focus();
