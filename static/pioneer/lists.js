// The office's lists: "select all on this page" as a checkbox in the table's heading, and
// the print button of the print views. Without JavaScript the lists offer the same through
// links (?select=page) and the browser's own print command.
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("[data-select-all]")) {
    const form = all.form;
    const boxes = () => Array.from(form.querySelectorAll('input[name="selected"]'));
    const sync = () => {
      const list = boxes();
      const ticked = list.filter((box) => box.checked).length;
      all.checked = ticked > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    };
    all.closest("[data-select-all-wrap]").hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
    });
    form.addEventListener("change", (event) => {
      if (event.target.name === "selected") sync();
    });
    sync();
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
