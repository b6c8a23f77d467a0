// Show the loyalty balance and reason only while "Enrolled" is ticked. The server ignores
// them when not enrolled, and disabled inputs are not submitted at all.
(() => {
  const enrolled = document.getElementById("id_loyalty_enrolled");
  const details = document.querySelector(".loyalty-details");
  if (!enrolled || !details) return;
  const sync = () => {
    details.hidden = !enrolled.checked;
    details.querySelectorAll("input").forEach((input) => { input.disabled = !enrolled.checked; });
  };
  enrolled.addEventListener("change", sync);
  sync();
})();

// After a refused save, bring the error summary into view for keyboard and screen readers.
document.getElementById("error-summary")?.focus();
