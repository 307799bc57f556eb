// The post editor's live preview: the text is rendered (and sanitised) by the server as you type.
(function () {
  var form = document.querySelector('form.post-editor');
  if (!form || !window.fetch) return;
  var body = form.querySelector('textarea[name="body"]');
  var out = document.getElementById('post-preview');
  var csrf = form.querySelector('input[name="_csrf"]');
  if (!body || !out || !csrf) return;
  var timer = 0;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    fetch(form.getAttribute('data-preview-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf.value },
      body: new URLSearchParams({ body: body.value }).toString(),
    })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (mine === seq) out.innerHTML = html; })
      .catch(function () {});
  }
  body.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
