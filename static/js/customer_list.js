// A click anywhere on a customer row opens it, except on the row's own links and controls.
document.querySelectorAll("tr[data-href]").forEach((row) => {
  row.addEventListener("click", (event) => {
    if (event.target.closest("a, button, input, label, .dropdown-menu")) return;
    window.location.assign(row.dataset.href);
  });
});
