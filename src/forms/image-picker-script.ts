/**
 * The picker of `format: "image"` fields: "Choose from library / upload" opens a dialog
 * over the media library's JSON API (`{site}/pm/api/media`, found from the page's own
 * address, so `~tilde` sites work), where a picture is picked, or uploaded with its
 * description first. Part of FORM_SCRIPT; without JavaScript the field is a text box and, when
 * the form was given `imageLibrary`, a link to the library opening in a new tab (hidden here).
 * When the API answers 404 (no media plugin), the dialog says so and the text box stays.
 * Markdown fields get an "Insert a picture" button that writes `![description](address)`.
 */
export const IMAGE_PICKER_SCRIPT = String.raw`(function () {
  var path = location.pathname;
  var at = path.indexOf('/pm/');
  var base = at > 0 ? path.slice(0, at) : '';
  var api = base + '/pm/api/media';
  var dialog, grid, status, search, fileInput, altInput, target, markdown;

  function site(url) { return url && url.charAt(0) === '/' && url.indexOf('/pm-uploads/') === 0 ? base + url : url; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }
  function csrf() {
    var form = target && target.closest('form');
    var i = form && form.querySelector('input[name="_csrf"]');
    return i ? i.value : '';
  }
  function insertMarkdown(area, url, alt) {
    var text = '![' + (alt || '').replace(/[\[\]]/g, '') + '](' + url + ')';
    var at = area.selectionStart == null ? area.value.length : area.selectionStart;
    var end = area.selectionEnd == null ? at : area.selectionEnd;
    var before = area.value.slice(0, at);
    var pad = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? '\n' : '\n\n') : '';
    area.value = before + pad + text + '\n' + area.value.slice(end);
    area.focus();
    area.selectionStart = area.selectionEnd = before.length + pad.length + text.length;
  }
  function pick(url, thumb, alt) {
    if (markdown) insertMarkdown(markdown, url, alt);
    else setValue(target, url, thumb);
    dialog.close();
  }
  function setValue(box, url, thumb) {
    var input = box.querySelector('[data-pm-image-input]');
    var img = box.querySelector('[data-pm-image-preview]');
    input.value = url;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    if (img) {
      img.hidden = !url;
      if (url) img.src = site(thumb || url); else img.removeAttribute('src');
    }
  }
  function show(items) {
    grid.textContent = '';
    if (!items.length) { grid.appendChild(el('li', { class: 'pm-picker-empty' }, 'No picture yet: upload one above.')); return; }
    items.forEach(function (m) {
      var li = el('li');
      var b = el('button', { type: 'button', class: 'pm-picker-item', 'data-url': m.url, 'data-thumb': m.thumbnailUrl || m.url, 'data-alt': m.alt || '', title: m.alt || m.name });
      var img = el('img', { src: site(m.thumbnailUrl || m.url), alt: '', loading: 'lazy', width: '160', height: '120' });
      b.appendChild(img);
      b.appendChild(el('span', {}, m.name));
      if (!m.alt) b.appendChild(el('span', { class: 'pm-picker-noalt' }, 'no description'));
      li.appendChild(b);
      grid.appendChild(li);
    });
  }
  function load() {
    status.textContent = 'Loading…';
    fetch(api + '?type=image&limit=120&q=' + encodeURIComponent(search.value), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (r.status === 404) throw new Error('The media library is not available on this site; type the address of a picture instead.');
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || 'The library could not be loaded.'); return j; });
      })
      .then(function (j) {
        show(j.items.filter(function (m) { return m.status === 'ready'; }));
        status.textContent = '';
      })
      .catch(function (e) { status.textContent = e.message; });
  }
  function upload() {
    var f = fileInput.files && fileInput.files[0];
    if (!f) { status.textContent = 'Choose a picture to upload first.'; fileInput.focus(); return; }
    if (!altInput.value.trim()) { status.textContent = 'Describe the picture first, for people who cannot see it.'; altInput.focus(); return; }
    var fd = new FormData();
    fd.append('alt', altInput.value.trim());
    fd.append('file', f, f.name);
    status.textContent = 'Uploading ' + f.name + '…';
    fetch(api + '?wait=true', { method: 'POST', body: fd, credentials: 'same-origin', headers: { accept: 'application/json', 'x-csrf-token': csrf() } })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || 'The upload failed.'); return j; }); })
      .then(function (m) {
        if (m.status === 'failed') throw new Error(m.error || 'The picture could not be processed.');
        pick(m.url, m.thumbnailUrl, m.alt);
      })
      .catch(function (e) { status.textContent = e.message; });
  }
  function build() {
    dialog = el('dialog', { class: 'pm-picker', 'aria-labelledby': 'pm-picker-title' });
    var head = el('div', { class: 'pm-picker-head' });
    head.appendChild(el('h2', { id: 'pm-picker-title' }, 'Choose a picture'));
    var close = el('button', { type: 'button', class: 'pm-btn pm-btn-quiet' }, 'Close');
    close.addEventListener('click', function () { dialog.close(); });
    head.appendChild(close);
    dialog.appendChild(head);
    var up = el('fieldset', { class: 'pm-picker-upload' });
    up.appendChild(el('legend', {}, 'Upload a new picture'));
    fileInput = el('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp,image/avif,image/gif', id: 'pm-picker-file' });
    altInput = el('input', { type: 'text', id: 'pm-picker-alt', maxlength: '500' });
    fileInput.addEventListener('change', function () {
      var f = fileInput.files && fileInput.files[0];
      if (f && !altInput.value) altInput.value = f.name.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[-_]+/g, ' ').trim();
    });
    var l1 = el('label', { for: 'pm-picker-file' }, 'Picture');
    var l2 = el('label', { for: 'pm-picker-alt' }, 'Description (alt text), required');
    var go = el('button', { type: 'button', class: 'pm-btn' }, 'Upload and use');
    go.addEventListener('click', upload);
    [l1, fileInput, l2, altInput, go].forEach(function (x) { up.appendChild(x); });
    dialog.appendChild(up);
    search = el('input', { type: 'search', placeholder: 'Search by name or description', 'aria-label': 'Search the library', class: 'pm-picker-search' });
    var t;
    search.addEventListener('input', function () { clearTimeout(t); t = setTimeout(load, 250); });
    dialog.appendChild(search);
    status = el('p', { role: 'status', class: 'pm-picker-status' });
    dialog.appendChild(status);
    grid = el('ul', { class: 'pm-picker-grid' });
    grid.addEventListener('click', function (e) {
      var b = e.target.closest('.pm-picker-item');
      if (!b) return;
      pick(b.getAttribute('data-url'), b.getAttribute('data-thumb'), b.getAttribute('data-alt'));
    });
    dialog.appendChild(grid);
    dialog.addEventListener('close', function () {
      var input = markdown || (target && target.querySelector('[data-pm-image-input]'));
      if (input) input.focus();
    });
    document.body.appendChild(dialog);
  }
  function ready(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('textarea.pm-markdown'), function (area) {
      if (area.hasAttribute('data-pm-md-picture')) return;
      area.setAttribute('data-pm-md-picture', '');
      var b = el('button', { type: 'button', class: 'pm-btn pm-btn-quiet pm-md-insert', 'data-pm-md-insert': area.id }, 'Insert a picture');
      area.insertAdjacentElement('afterend', b);
    });
    Array.prototype.forEach.call((root || document).querySelectorAll('[data-pm-image]'), function (box) {
      var b = box.querySelector('[data-pm-image-buttons]');
      if (b) b.hidden = false;
      // The dialog replaces the no-script way (a link to the library in a new tab).
      Array.prototype.forEach.call(box.querySelectorAll('[data-pm-image-library]'), function (l) { l.hidden = true; });
      var img = box.querySelector('[data-pm-image-preview]');
      var src = img && img.getAttribute('src');
      if (src && base && src.indexOf('/pm-uploads/') === 0) img.src = base + src;
    });
  }
  document.addEventListener('click', function (e) {
    var choose = e.target.closest && e.target.closest('[data-pm-image-choose]');
    var clear = e.target.closest && e.target.closest('[data-pm-image-clear]');
    var md = e.target.closest && e.target.closest('[data-pm-md-insert]');
    var box = (choose || clear) && (choose || clear).closest('[data-pm-image]');
    markdown = md ? document.getElementById(md.getAttribute('data-pm-md-insert')) : undefined;
    if (markdown) box = md;
    if (!box) {
      // An array item added from its template: its image fields get their buttons too.
      if (e.target.closest && e.target.closest('.pm-op-add')) setTimeout(function () { ready(); }, 0);
      return;
    }
    target = box;
    if (clear) return setValue(box, '', '');
    if (!dialog) build();
    fileInput.value = '';
    altInput.value = '';
    status.textContent = '';
    dialog.showModal();
    load();
  });
  document.addEventListener('input', function (e) {
    if (!e.target.matches || !e.target.matches('[data-pm-image-input]')) return;
    var box = e.target.closest('[data-pm-image]');
    var img = box && box.querySelector('[data-pm-image-preview]');
    var v = e.target.value.trim();
    if (img && e.isTrusted) { img.hidden = !/^(\/(?![\/\\])|https?:\/\/)/i.test(v); if (!img.hidden) img.src = site(v); }
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { ready(); });
  else ready();
})();
`;

export const IMAGE_PICKER_STYLES = `
.pm-image{display:flex;gap:.75rem;align-items:flex-start;max-width:40rem}
.pm-image-thumb{flex:0 0 96px;width:96px;height:72px;border:1px solid #d0d4da;border-radius:4px;background:#f4f5f7;overflow:hidden;display:block}
.pm-image-thumb img{width:100%;height:100%;object-fit:cover;display:block}
.pm-image-controls{flex:1 1 auto;min-width:0;display:flex;flex-direction:column;gap:.4rem}
.pm-image-buttons{display:flex;flex-wrap:wrap;gap:.4rem}
.pm-btn{font:inherit;font-size:.9em;padding:.3rem .7rem;border:1px solid #5b7fc7;border-radius:4px;background:#eef4ff;cursor:pointer}
.pm-btn-quiet{border-color:#8a8f98;background:#f4f5f7}
.pm-picker{width:min(56rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);border:1px solid #8a8f98;border-radius:8px;padding:1rem 1.25rem;box-sizing:border-box}
.pm-picker::backdrop{background:rgba(20,24,32,.45)}
.pm-picker-head{display:flex;justify-content:space-between;align-items:center;gap:1rem}
.pm-picker-head h2{margin:0;font-size:1.2rem}
.pm-picker-upload{border:1px solid #d0d4da;border-radius:6px;margin:.75rem 0;padding:.5rem .9rem .9rem;display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.5rem .75rem;align-items:center}
.pm-picker-upload legend{font-weight:600}
.pm-picker-upload button{grid-column:2;justify-self:start}
.pm-picker-search{box-sizing:border-box;width:100%;padding:.4rem .5rem;font:inherit;border:1px solid #8a8f98;border-radius:4px}
.pm-picker-status{min-height:1.2em;margin:.4rem 0;color:#555}
.pm-picker-grid{list-style:none;margin:0;padding:0;display:grid;gap:.6rem;grid-template-columns:repeat(auto-fill,minmax(130px,1fr))}
.pm-picker-item{display:flex;flex-direction:column;gap:.2rem;width:100%;padding:.3rem;border:1px solid #d0d4da;border-radius:6px;background:#fff;font:inherit;font-size:.85em;text-align:left;cursor:pointer;overflow-wrap:anywhere}
.pm-picker-item:hover,.pm-picker-item:focus{border-color:#5b7fc7;outline:2px solid #5b7fc7}
.pm-picker-item img{width:100%;height:auto;aspect-ratio:4/3;object-fit:cover;border-radius:3px;background:#f4f5f7}
.pm-picker-noalt{color:#b00020}
.pm-md-insert{margin-top:.35rem}
.pm-image-library{align-self:flex-start;text-decoration:none;color:inherit}
.pm-image-library-help{margin:0}
[data-pm-image-library][hidden],[data-pm-image-buttons][hidden]{display:none}
@media (max-width:600px){.pm-picker-upload{grid-template-columns:minmax(0,1fr)}.pm-picker-upload button{grid-column:1}}
`;
