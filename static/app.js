// Progressive enhancement only: every page works without this file.
document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action="print"]');
  if (target) window.print();
});
