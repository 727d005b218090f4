// /matrix: light the column of the cell under the pointer or the keyboard focus (its row is lit
// by CSS alone), and place a mark's tooltip by its mark inside the window, again as the page or
// the table's box scrolls. The page reads the same without it (CSS shows the tooltip under its
// mark, where it stays while the page scrolls).
(function () {
  "use strict";
  const table = document.querySelector("table.matrix");
  if (!table) return;
  const MARGIN = 8;
  let lit = [];

  function light(target) {
    for (const cell of lit) cell.classList.remove("crossed");
    const cell = target instanceof Element ? target.closest("[data-column]") : null;
    lit = cell ? [...table.querySelectorAll(`[data-column="${cell.dataset.column}"]`)] : [];
    for (const each of lit) each.classList.add("crossed");
  }

  // Under the mark, else above it; as far left as the mark, else as far as the window allows.
  function place(mark) {
    const tip = mark.querySelector(".tip");
    const cell = mark.getBoundingClientRect(), box = tip.getBoundingClientRect();
    const right = document.documentElement.clientWidth - MARGIN;
    const left = Math.max(MARGIN, Math.min(cell.left, right - box.width));
    const below = cell.bottom + MARGIN / 2;
    const top = below + box.height <= window.innerHeight - MARGIN
      ? below : Math.max(MARGIN, cell.top - box.height - MARGIN / 2);
    tip.style.setProperty("--tip-left", `${left}px`);
    tip.style.setProperty("--tip-top", `${top}px`);
    tip.style.setProperty("--tip-margin", "0");
  }

  const shown = () => table.querySelectorAll("a.mark:hover, a.mark:focus");
  function show(target) {
    light(target);
    for (const mark of shown()) place(mark);
  }

  table.addEventListener("pointerover", (event) => requestAnimationFrame(() => show(event.target)));
  table.addEventListener("pointerleave", () => light(null));
  table.addEventListener("focusin", (event) => requestAnimationFrame(() => show(event.target)));
  table.addEventListener("focusout", () => light(null));
  document.addEventListener("scroll", () => { for (const mark of shown()) place(mark); },
                            { capture: true, passive: true });
})();
