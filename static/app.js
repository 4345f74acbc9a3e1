// Progressive enhancement only: every page works without this file.
document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action="print"]');
  if (target) window.print();
});

// Pickers with many options (dispatch to one of ~200 units): a filter box narrows the list as one types.
// Markup: an <input data-picker-filter="ID"> inside a box rendered with `hidden` and [data-picker-box], shown here, so
// without this file the box is absent and the full list works. ID names either a <select> (its options and optgroups)
// or a list of checkboxes: [data-picker-option] items, optionally inside [data-picker-group] elements whose <legend>
// is the group's label. data-picker-empty="ID2" names a live region (role=status) that says
// data-picker-empty-text when nothing matches; data-picker-min="N" keeps the box hidden for a list of fewer than N
// choices. The filter input has no name, so it is never sent with the form. An option matches when every word typed
// is part of its text or of its group's label (case-insensitive, full-width letters as half-width).
// What is chosen always stays in the list, matching or not: a ticked checkbox or the selected option is part of what
// the form will send, and a choice one cannot see is a choice one cannot undo. An option with an empty value ("any",
// "none") stays too. A choice unticked while filtered out stays visible until the next keystroke, so it does not
// vanish under the finger.
const pickerKey = (text) => text.normalize('NFKC').toLowerCase();

function setUpPicker(input) {
  const target = document.getElementById(input.dataset.pickerFilter);
  if (!target) return;
  const status = input.dataset.pickerEmpty ? document.getElementById(input.dataset.pickerEmpty) : null;
  const isSelect = target.tagName === 'SELECT';
  // [{ group, groupKey, items: [{ node, key, blank, chosen() }] }], in the page's order; group is null for ungrouped
  // items. `blank`: an option with an empty value ("any", "none"), always shown and never counted as a match.
  const groups = [];
  const groupOf = (node) => {
    let last = groups[groups.length - 1];
    if (!last || last.group !== node) groups.push(last = { group: node, items: [] });
    return last;
  };
  if (isSelect) {
    for (const child of target.children) {
      const options = child.tagName === 'OPTGROUP' ? Array.from(child.children) : [child];
      const g = groupOf(child.tagName === 'OPTGROUP' ? child : null);
      g.groupKey = child.tagName === 'OPTGROUP' ? pickerKey(child.label) : '';
      for (const o of options) {
        g.items.push({ node: o, key: pickerKey(o.text), blank: o.value === '', chosen: () => o.selected });
      }
    }
  } else {
    for (const item of target.querySelectorAll('[data-picker-option]')) {
      const group = item.closest('[data-picker-group]');
      const g = groupOf(group);
      const legend = group ? group.querySelector('legend') : null;
      g.groupKey = legend ? pickerKey(legend.textContent) : '';
      const box = item.querySelector('input');
      g.items.push({ node: item, key: pickerKey(item.textContent), blank: !!box && box.value === '',
        chosen: () => !!box && box.checked });
    }
  }

  const apply = () => {
    const words = pickerKey(input.value).split(/\s+/).filter(Boolean);
    let matches = 0;
    const nodes = [];  // for a <select>: the nodes to put back, in order
    for (const g of groups) {
      const shown = [];
      for (const item of g.items) {
        const match = words.every((w) => item.key.includes(w) || g.groupKey.includes(w));
        if (match && !item.blank) matches += 1;
        const show = match || item.blank || item.chosen();
        if (show) shown.push(item.node);
        if (!isSelect) item.node.hidden = !show;
      }
      if (isSelect) {
        // Safari ignores `hidden` on <option>: the options that do not match leave the <select> instead.
        if (g.group) {
          g.group.replaceChildren(...shown);
          if (shown.length) nodes.push(g.group);
        } else {
          nodes.push(...shown);
        }
      } else if (g.group) {
        g.group.hidden = shown.length === 0;
      }
    }
    if (isSelect) {
      const chosen = target.selectedOptions[0];
      target.replaceChildren(...nodes);
      if (chosen) chosen.selected = true;
    }
    if (status) status.textContent = words.length && matches === 0 ? status.dataset.pickerEmptyText || '' : '';
  };

  // data-picker-min="N": a list of fewer than N choices needs no filter, and its box stays hidden.
  const count = groups.reduce((n, g) => n + g.items.filter((item) => !item.blank).length, 0);
  if (count < Number(input.dataset.pickerMin || 0)) return;
  input.addEventListener('input', apply);
  // Enter in the filter box would submit the form (a dispatch): it only filters.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') event.preventDefault();
  });
  const box = input.closest('[data-picker-box]');
  if (box) box.hidden = false;
  if (input.value) apply();  // a value the browser restored on going back
}

document.querySelectorAll('[data-picker-filter]').forEach(setUpPicker);
