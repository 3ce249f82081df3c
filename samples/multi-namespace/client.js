'use strict';
/*
 * One client connection per worker, each multiplexing /chat, /gameA and /gameB, as a browser page using the
 * three namespaces would: io(url + '/chat'), io(url + '/gameA'), ... share one Manager, so one Engine.IO
 * session. Each namespace's "hello" is answered by its own backend process.
 *
 *   node client.js http://127.0.0.1:<worker 1 port> [http://127.0.0.1:<worker 2 port> ...]
 *
 * run.sh demo runs it with the workers run.sh started (socket.io-client from distributor-test-support's npm install).
 */
const { Manager } = require('socket.io-client');

const NAMESPACES = ['/chat', '/gameA', '/gameB'];
const TIMEOUT_MS = 10000;

function connected(socket) {
  return new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (err) => reject(new Error(socket.nsp + ': ' + err.message)));
  });
}

async function viaWorker(url) {
  const manager = new Manager(url, { reconnection: false });
  const sockets = NAMESPACES.map((ns) => manager.socket(ns));
  sockets.forEach((socket) => socket.connect());
  await Promise.all(sockets.map(connected));
  console.log(`${url}: one connection, Engine.IO session ${manager.engine.id} (${manager.engine.transport.name})`);
  for (const socket of sockets) {
    const hello = await socket.timeout(TIMEOUT_MS).emitWithAck('hello');
    console.log(`  ${socket.nsp.padEnd(6)} socket ${socket.id}  answered by backend pid ${hello.pid}`);
  }
  const [chat, gameA, gameB] = sockets;
  await chat.timeout(TIMEOUT_MS).emitWithAck('say', 'hello from ' + url);
  console.log(`  /gameA  move e4 is turn ${await gameA.timeout(TIMEOUT_MS).emitWithAck('move', 'e4')}`);
  console.log(`  /gameB  move d4 is turn ${await gameB.timeout(TIMEOUT_MS).emitWithAck('move', 'd4')}`);
  sockets.forEach((socket) => socket.disconnect());
}

(async () => {
  const urls = process.argv.slice(2);
  if (urls.length === 0) {
    console.error('usage: node client.js <worker url> [<worker url> ...]');
    process.exit(2);
  }
  for (const url of urls) await viaWorker(url);
})().catch((e) => { console.error(e.message || e); process.exit(1); });
