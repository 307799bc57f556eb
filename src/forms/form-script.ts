/**
 * Client-side array editing for forms from `renderForm`: Add clones the list's `<template>`,
 * Remove / Move up / Move down move items, and every name, id, label and button inside the
 * moved items is renumbered so the body parses exactly as if the server had done it. Without
 * JavaScript the same buttons submit `_pm_form_op` and the server re-renders (`applyFormOp`).
 * Include once per page: `<script>${FORM_SCRIPT}</script>` (or with a CSP nonce).
 */
import { IMAGE_PICKER_SCRIPT, IMAGE_PICKER_STYLES } from './image-picker-script.js';

export const FORM_SCRIPT = String.raw`(function () {
  var doc = document.documentElement;
  if (doc.hasAttribute('data-pm-forms')) return;
  doc.setAttribute('data-pm-forms', '');

  function own(item, selector) {
    return Array.prototype.filter.call(item.querySelectorAll(selector), function (el) {
      return el.closest('[data-pm-item]') === item;
    });
  }
  function items(arr) {
    var list = arr.querySelector(':scope > .pm-array-items');
    return list ? Array.prototype.filter.call(list.children, function (el) { return el.hasAttribute('data-pm-item'); }) : [];
  }
  function swap(v, from, to, sep) {
    return v === from ? to : v.indexOf(from + sep) === 0 ? to + v.slice(from.length) : v;
  }
  function rewrite(el, m) {
    var v;
    if ((v = el.getAttribute('name')) !== null && !(el.tagName === 'BUTTON' && v === '_pm_form_op')) el.setAttribute('name', swap(v, m.name[0], m.name[1], '['));
    if ((v = el.getAttribute('data-pm-name')) !== null) el.setAttribute('data-pm-name', swap(v, m.name[0], m.name[1], '['));
    ['id', 'for', 'data-pm-id'].forEach(function (a) {
      if ((v = el.getAttribute(a)) !== null) el.setAttribute(a, swap(v, m.id[0], m.id[1], '-'));
    });
    if ((v = el.getAttribute('aria-describedby')) !== null) {
      el.setAttribute('aria-describedby', v.split(/\s+/).map(function (t) { return swap(t, m.id[0], m.id[1], '-'); }).join(' '));
    }
    if ((v = el.getAttribute('data-pm-op')) !== null) el.setAttribute('data-pm-op', swap(v, m.op[0], m.op[1], '.'));
    if (el.tagName === 'BUTTON' && el.getAttribute('name') === '_pm_form_op') {
      var i = el.value.indexOf(':');
      el.value = el.value.slice(0, i + 1) + swap(el.value.slice(i + 1), m.op[0], m.op[1], '.');
    }
    if (el.tagName === 'TEMPLATE') Array.prototype.forEach.call(el.content.querySelectorAll('*'), function (c) { rewrite(c, m); });
  }
  function retarget(arr, item, index) {
    var m = {
      name: [item.getAttribute('data-pm-name'), arr.getAttribute('data-pm-name') + '[' + index + ']'],
      id: [item.getAttribute('data-pm-id'), arr.getAttribute('data-pm-id') + '-' + index],
      op: [item.getAttribute('data-pm-op'), arr.getAttribute('data-pm-op') + '.' + index]
    };
    rewrite(item, m);
    Array.prototype.forEach.call(item.querySelectorAll('*'), function (el) { rewrite(el, m); });
  }
  function renumber(arr) {
    var list = items(arr);
    // Two passes: radio buttons that share a name even for a moment lose their checked state.
    list.forEach(function (item, i) { retarget(arr, item, 'tmp' + i + '_'); });
    list.forEach(function (item, i) {
      retarget(arr, item, i);
      own(item, '[data-pm-n]').forEach(function (n) { n.textContent = String(i + 1); });
      own(item, '.pm-op-up').forEach(function (b) { b.disabled = i === 0; });
      own(item, '.pm-op-down').forEach(function (b) { b.disabled = i === list.length - 1; });
    });
    var max = arr.getAttribute('data-pm-max-items');
    var add = arr.querySelector(':scope > .pm-op-add');
    if (add) add.disabled = max !== null && list.length >= Number(max);
  }
  function focusIn(el) {
    var f = el && el.querySelector('input:not([type=hidden]):not([disabled]), select, textarea');
    if (f) f.focus();
  }
  document.addEventListener('click', function (ev) {
    var btn = ev.target && ev.target.closest ? ev.target.closest('button[name="_pm_form_op"]') : null;
    if (!btn || btn.disabled) return;
    var kind = btn.value.split(':')[0];
    var arr, item, list;
    if (kind === 'add') {
      arr = btn.closest('[data-pm-array]');
      var tpl = arr && arr.querySelector(':scope > template.pm-array-template');
      if (!tpl) return;
      ev.preventDefault();
      var frag = tpl.content.cloneNode(true);
      item = frag.querySelector('[data-pm-item]');
      arr.querySelector(':scope > .pm-array-items').appendChild(frag);
      renumber(arr);
      focusIn(item);
      return;
    }
    item = btn.closest('[data-pm-item]');
    arr = item && item.parentElement.closest('[data-pm-array]');
    if (!arr) return;
    ev.preventDefault();
    list = item.parentElement;
    if (kind === 'remove') {
      var next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      renumber(arr);
      var target = next && own(next, '.pm-op-remove')[0];
      (target || arr.querySelector(':scope > .pm-op-add')).focus();
    } else if (kind === 'up' && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
      renumber(arr);
      (btn.disabled ? own(item, '.pm-op-down')[0] : btn).focus();
    } else if (kind === 'down' && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
      renumber(arr);
      (btn.disabled ? own(item, '.pm-op-up')[0] : btn).focus();
    }
  });
})();
` + IMAGE_PICKER_SCRIPT;

/** A plain, readable default look for `renderForm` output; themes may ignore it and style the `pm-` classes. */
export const FORM_STYLES = `
.pm-field{margin:0 0 1rem}
.pm-field>label,.pm-fieldset>legend,.pm-field-radio>legend{display:block;font-weight:600;margin-bottom:.25rem}
.pm-field input:not([type=checkbox]):not([type=radio]):not([type=color]),.pm-field select,.pm-field textarea{box-sizing:border-box;width:100%;max-width:40rem;padding:.4rem .5rem;font:inherit;border:1px solid #8a8f98;border-radius:4px}
.pm-field input[type=number]{max-width:12rem}
.pm-field textarea.pm-markdown{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;line-height:1.45}
.pm-fieldset,.pm-field-radio{border:1px solid #d0d4da;border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem;max-width:44rem}
.pm-field-radio{border:0;padding:0}
.pm-check{display:flex;align-items:center;gap:.4rem;margin:.2rem 0}
.pm-check label{font-weight:normal}
.pm-required{color:#b00020}
.pm-help{margin:.1rem 0 .35rem;color:#555;font-size:.9em}
.pm-field-error{margin:.3rem 0 0;color:#b00020;font-weight:600;font-size:.9em}
.pm-form-errors{border:1px solid #b00020;background:#fdecee;border-radius:6px;padding:.5rem 1rem;margin:0 0 1rem}
[aria-invalid=true]{border-color:#b00020!important;outline:1px solid #b00020}
.pm-array-item{border:1px dashed #c3c8cf;border-radius:6px;padding:.5rem .75rem;margin:0 0 .75rem}
div.pm-array-item{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.5rem}
div.pm-array-item>.pm-field{flex:1 1 16rem;margin:0}
.pm-item-controls{display:flex;gap:.35rem;flex-wrap:wrap}
.pm-op{font:inherit;font-size:.85em;padding:.25rem .6rem;border:1px solid #8a8f98;border-radius:4px;background:#f4f5f7;cursor:pointer}
.pm-op:disabled{opacity:.45;cursor:default}
.pm-op-add{background:#eef4ff;border-color:#5b7fc7}
.pm-sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
` + IMAGE_PICKER_STYLES;
