// Print buttons ([data-print]) on pages meant for paper: card sheets, statements.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
