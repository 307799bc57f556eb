// The media library's upload form: drag and drop, and one description per file
// (the file's name as a first guess). Without this script the plain file input
// and the single description field do the same job.
(function () {
  var form = document.querySelector('[data-media-upload]');
  if (!form) return;
  var drop = form.querySelector('[data-media-drop]');
  var input = form.querySelector('input[type="file"]');
  var list = form.querySelector('[data-media-alts]');
  var one = form.querySelector('[data-media-alt-one]');
  var hint = form.querySelector('[data-media-drop-hint]');
  drop.classList.add('has-js');
  hint.textContent = 'or drop files here. ' + hint.textContent;

  function guess(name) {
    return name.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  }

  function render() {
    list.textContent = '';
    var files = input.files || [];
    one.hidden = files.length > 0;
    var oneInput = one.querySelector('input');
    if (oneInput) oneInput.disabled = files.length > 0;
    if (!files.length) return;
    var ul = document.createElement('ul');
    ul.className = 'media-alt-list';
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      var li = document.createElement('li');
      var pic;
      if (/^image\//.test(f.type) && f.type !== 'image/svg+xml' && f.size < 15 * 1024 * 1024) {
        // A data: URL, as the dashboard's policy allows (not blob:).
        pic = document.createElement('img');
        pic.alt = '';
        (function (img, file) {
          var reader = new FileReader();
          reader.onload = function () { img.src = String(reader.result); };
          reader.readAsDataURL(file);
        })(pic, f);
      } else {
        pic = document.createElement('span');
        pic.className = 'media-doc';
        pic.textContent = (f.name.split('.').pop() || '').toUpperCase();
      }
      var field = document.createElement('div');
      field.className = 'pm-field';
      var id = 'media-alt-' + i;
      var label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = 'Description of ' + f.name;
      var alt = document.createElement('input');
      alt.type = 'text';
      alt.name = 'alt';
      alt.id = id;
      alt.maxLength = 500;
      alt.value = guess(f.name);
      field.appendChild(label);
      field.appendChild(alt);
      li.appendChild(pic);
      li.appendChild(field);
      ul.appendChild(li);
    }
    list.appendChild(ul);
  }

  input.addEventListener('change', render);
  ['dragenter', 'dragover'].forEach(function (t) {
    drop.addEventListener(t, function (e) {
      e.preventDefault();
      drop.classList.add('is-over');
    });
  });
  ['dragleave', 'drop'].forEach(function (t) {
    drop.addEventListener(t, function () {
      drop.classList.remove('is-over');
    });
  });
  drop.addEventListener('drop', function (e) {
    e.preventDefault();
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    input.files = e.dataTransfer.files;
    render();
  });
})();
