'use strict';
/*
 * Drives the chat sample's page in real headless Chromium (Debian's /usr/bin/chromium, via playwright-core):
 * Ada and Bob chat in #lobby, Cleo sits alone in #garden. Each step waits for what the page shows, with a
 * deadline; at the end the script prints what every page shows as one JSON line on stdout, for
 * ChatPageBrowserIT to check, and saves a screenshot of Ada's page.
 *
 *   node chat-browser.js <page url> <screenshot.png>
 *
 * Exit code 0 when the scenario ran to the end; 1 with {"error": ...} when a wait ran out or the browser failed.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const [pageUrl, screenshotPath] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT_MS = 30000;

// the machine has no outside network: without these Chromium waits for services it cannot reach
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Opens the page, signs in under name and waits until the socket is connected. */
async function signIn(context, name) {
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(name + ' page error: ' + e.message + '\n'));
  await page.goto(pageUrl);
  await page.fill('#name', name);
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#status').className === 'connected', null,
    { timeout: WAIT_MS });
  // the page joins #lobby by itself
  await waitForText(page, '#room-title', '# lobby');
  return page;
}

async function waitForText(page, selector, text) {
  await page.waitForFunction(([s, t]) => (document.querySelector(s)?.textContent || '').includes(t), [selector, text],
    { timeout: WAIT_MS });
}

/** Waits until the online list shows exactly these names, in this order. */
async function waitForOnline(page, names) {
  await page.waitForFunction((expected) => {
    const shown = [...document.querySelectorAll('#online .member')].map((n) => n.textContent);
    return JSON.stringify(shown) === JSON.stringify(expected);
  }, names, { timeout: WAIT_MS });
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#say');
  await waitForText(page, '#messages', text);
}

async function joinRoom(page, room) {
  await page.fill('#room', room);
  await page.click('#join');
  await waitForText(page, '#room-title', '# ' + room);
}

async function leaveRoom(page, room) {
  await page.click('#rooms li[data-room="' + room + '"] button');
  await page.waitForFunction((r) => !document.querySelector('#rooms li[data-room="' + r + '"]'), room,
    { timeout: WAIT_MS });
}

/** What a page shows: status, rooms, active room, messages and the online list. */
function shown(page) {
  return page.evaluate(() => ({
    status: document.querySelector('#status').textContent,
    rooms: [...document.querySelectorAll('#rooms li')].map((n) => n.dataset.room),
    activeRoom: document.querySelector('#room-title').textContent,
    messages: [...document.querySelectorAll('#messages .msg')].map((n) => ({
      who: n.querySelector('.who').textContent, text: n.querySelector('.text').textContent })),
    online: [...document.querySelectorAll('#online .member')].map((n) => n.textContent),
    text: document.body.innerText,
  }));
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 620 },
  });
  try {
    const cleo = await signIn(context, 'Cleo');
    await joinRoom(cleo, 'garden');
    await leaveRoom(cleo, 'lobby');
    await waitForOnline(cleo, ['Cleo']);

    const ada = await signIn(context, 'Ada');
    const bob = await signIn(context, 'Bob');
    await waitForOnline(ada, ['Ada', 'Bob']);
    await waitForOnline(bob, ['Ada', 'Bob']);

    await say(ada, 'Hi Bob! Did the worker tell you I was here?');
    await waitForText(bob, '#messages', 'Did the worker tell you');
    await say(bob, 'It did: your message went through Redis to the backend and back.');
    await waitForText(ada, '#messages', 'went through Redis');
    await say(ada, 'And the online list comes from fetchSockets() on every worker.');
    await waitForText(bob, '#messages', 'fetchSockets() on every worker');

    // a room name the server refuses: the page says why and stays where it was
    await cleo.fill('#room', 'two words');
    await cleo.click('#join');
    await waitForText(cleo, '#messages', 'cannot join #two words');

    // Cleo's own message, sent after all of the lobby's: had she received any of theirs, it came before this
    await say(cleo, 'Quiet in the garden.');

    await ada.screenshot({ path: screenshotPath });
    process.stdout.write(JSON.stringify({ ada: await shown(ada), bob: await shown(bob), cleo: await shown(cleo) })
      + '\n');
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + '\n');
  process.exit(1);
});
