// A click anywhere on a customer row opens it, except on the row's own links and controls.
document.querySelectorAll("tr[data-href]").forEach((row) => {
  row.addEventListener("click", (event) => {
    if (event.target.closest("a, button, input, label, .dropdown-menu")) return;
    window.location.assign(row.dataset.href);
  });
});

// The header box ticks or unticks every row on the page.
const selectAll = document.getElementById("select-all");
const rowBoxes = [...document.querySelectorAll(".row-select")];
if (selectAll) {
  const sync = () => {
    const ticked = rowBoxes.filter((box) => box.checked).length;
    selectAll.checked = ticked > 0 && ticked === rowBoxes.length;
    selectAll.indeterminate = ticked > 0 && ticked < rowBoxes.length;
  };
  selectAll.addEventListener("change", () => {
    rowBoxes.forEach((box) => { box.checked = selectAll.checked; });
  });
  rowBoxes.forEach((box) => box.addEventListener("change", sync));
}
