// A click anywhere on a customer row opens it, except on the row's own links and controls.
document.querySelectorAll("tr[data-href]").forEach((row) => {
  row.addEventListener("click", (event) => {
    if (event.target.closest("a, button, input, label, .dropdown-menu")) return;
    window.location.assign(row.dataset.href);
  });
});

// The header box ticks or unticks every row on the page; actions on the selection are
// enabled only while something is ticked.
const selectAll = document.getElementById("select-all");
const rowBoxes = [...document.querySelectorAll(".row-select")];
const selectionActions = [...document.querySelectorAll("[data-requires-selection]")];
const sync = () => {
  const ticked = rowBoxes.filter((box) => box.checked).length;
  if (selectAll) {
    selectAll.checked = ticked > 0 && ticked === rowBoxes.length;
    selectAll.indeterminate = ticked > 0 && ticked < rowBoxes.length;
  }
  selectionActions.forEach((button) => { button.disabled = ticked === 0; });
};
selectAll?.addEventListener("change", () => {
  rowBoxes.forEach((box) => { box.checked = selectAll.checked; });
  sync();
});
rowBoxes.forEach((box) => box.addEventListener("change", sync));
sync();

// The column chooser's ↑ buttons move a column up the list, and a column ticked joins the
// end of the ticked ones; the order posted is the order shown, and the table follows it.
document.querySelectorAll("[data-column-order]").forEach((list) => {
  const refresh = () => {
    [...list.children].forEach((item, index) => {
      item.querySelector("[data-move-up]").disabled = index === 0;
    });
  };
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move-up]");
    if (!button) return;
    const item = button.closest("li");
    if (item.previousElementSibling) item.parentElement.insertBefore(item, item.previousElementSibling);
    refresh();
    button.focus();
  });
  list.addEventListener("change", (event) => {
    if (!event.target.checked) return;
    const item = event.target.closest("li");
    const ticked = [...list.querySelectorAll("input[type=checkbox]:checked")]
      .map((box) => box.closest("li"))
      .filter((other) => other !== item);
    ticked.at(-1)?.after(item);
    refresh();
  });
});
