// The page's whole behaviour: list the notes from GET /api/notes, add one with POST /api/notes, delete one with
// DELETE /api/notes/{id}. Note text is only ever set as textContent, never parsed as HTML.
'use strict';

const list = document.getElementById('notes');
const form = document.getElementById('new-note');
const input = document.getElementById('note-text');
const status = document.getElementById('status');

function showStatus(text, isError) {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const value = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error(value && value.error ? value.error : `${response.status} ${response.statusText}`);
  }
  return value;
}

function render(notes) {
  list.replaceChildren(...notes.map(note => {
    const item = document.createElement('li');
    item.dataset.id = note.id;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = note.text;
    const created = document.createElement('time');
    created.dateTime = note.created;
    created.textContent = new Date(note.created).toLocaleString();
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'delete';
    remove.textContent = 'Delete';
    remove.addEventListener('click', () => run(async () => {
      await api('DELETE', `/api/notes/${note.id}`);
      await refresh();
    }));
    item.append(text, created, remove);
    return item;
  }));
  showStatus(notes.length === 1 ? '1 note' : `${notes.length} notes`, false);
}

async function refresh() {
  render(await api('GET', '/api/notes'));
}

async function run(action) {
  try {
    await action();
  } catch (error) {
    showStatus(`Error: ${error.message}`, true);
  }
}

form.addEventListener('submit', event => {
  event.preventDefault();
  run(async () => {
    await api('POST', '/api/notes', { text: input.value });
    input.value = '';
    await refresh();
  });
});

run(refresh);
