// The printable sheet of loyalty card codes: a new label size is shown at once.
(() => {
  const labelSize = document.querySelector("#label-form select");
  labelSize?.addEventListener("change", () => labelSize.form.submit());
})();
