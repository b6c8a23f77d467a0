// The printable sheet of loyalty card codes: Print, and a new label size shown at once.
(() => {
  document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
  const labelSize = document.querySelector("#label-form select");
  labelSize?.addEventListener("change", () => labelSize.form.submit());
})();
