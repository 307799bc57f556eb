// pagemanager dashboard: small niceties only; every page works without this file.
(function () {
  document.addEventListener('click', function (e) {
    var btn = e.target.closest ? e.target.closest('[data-copy]') : null;
    if (!btn) return;
    var el = document.getElementById(btn.getAttribute('data-copy'));
    if (!el || !navigator.clipboard) return;
    navigator.clipboard.writeText(el.textContent || '').then(function () {
      var old = btn.textContent;
      btn.textContent = 'Copied';
      setTimeout(function () { btn.textContent = old; }, 1500);
    });
  });
})();

// Unsaved changes: a form marked data-pm-unsaved warns before the page is left with edits in it.
// Without JavaScript nothing is lost either: nothing is discarded until the form is saved.
(function () {
  var forms = document.querySelectorAll('form[data-pm-unsaved]');
  if (!forms.length) return;
  var snapshot = function (f) { return new URLSearchParams(new FormData(f)).toString(); };
  var initial = [];
  var leaving = false;
  forms.forEach(function (f, i) {
    initial[i] = snapshot(f);
    // Any submit of the form (Save, Preview, Add, Move) is not "leaving with unsaved changes".
    f.addEventListener('submit', function () { leaving = true; setTimeout(function () { leaving = false; }, 1000); });
  });
  window.addEventListener('beforeunload', function (e) {
    if (leaving) return;
    for (var i = 0; i < forms.length; i++) {
      if (snapshot(forms[i]) !== initial[i]) {
        e.preventDefault();
        e.returnValue = '';
        return '';
      }
    }
  });
})();
