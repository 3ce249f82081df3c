'use strict';
/*
 * Line-oriented JSON driver for many socket.io-client v4 sockets in one Node process.
 *
 * stdin : one command per line, e.g.
 *   {"cmd":"connect","id":"a","url":"http://127.0.0.1:9092","namespace":"/chat","auth":{},"options":{}}
 *   {"cmd":"connect","id":"b","sameConnectionAs":"a","namespace":"/other","auth":{}}
 *       (another namespace over a's Manager, i.e. a's Engine.IO connection, as io(url + "/other") would
 *       multiplex without forceNew; "url" and "options" are not used)
 *   {"cmd":"emit","id":"a","event":"say","args":[...],"ack":true,"ref":7,"timeoutMs":5000}
 *   {"cmd":"ack","id":"a","ackId":3,"args":[...]}   (answers a server emit that asked for an ack)
 *   {"cmd":"disconnect","id":"a"}
 *   {"cmd":"requests","ref":3}   (how many HTTP requests the clients made so far: by the sid in their query string,
 *       and those without one, i.e. handshakes; a WebSocket upgrade counts as one request)
 *   {"cmd":"exit"}
 * stdout: one JSON object per line and nothing else (see NodeClients.java for the formats).
 * stderr: free-form diagnostics.
 *
 * Binary values travel as {"$binary":"<base64>"} in both directions.
 */
const http = require('node:http');
const https = require('node:https');
const readline = require('node:readline');
const { io } = require('socket.io-client');

const DEFAULT_ACK_TIMEOUT_MS = 10000;

/** id -> socket */
const sockets = new Map();
/** server-requested ack callbacks, by the ackId reported in the "event" line */
const serverAcks = new Map();
let nextServerAckId = 1;

/*
 * Every HTTP request the clients make (long-polling through xmlhttprequest-ssl, WebSocket upgrades through ws; both
 * look http.request and https.request up at each call), counted by the sid in its query string.
 */
const requestCounts = { withoutSid: 0, bySid: {} };

function countRequest(target) {
  let path = '';
  if (typeof target === 'string') path = new URL(target).search;
  else if (target instanceof URL) path = target.search;
  else if (target && typeof target.path === 'string') path = target.path;
  const match = /[?&]sid=([^&]*)/.exec(path);
  if (!match) {
    requestCounts.withoutSid++;
    return;
  }
  const sid = decodeURIComponent(match[1]);
  requestCounts.bySid[sid] = (requestCounts.bySid[sid] || 0) + 1;
}

for (const module of [http, https]) {
  const original = module.request;
  module.request = function countedRequest(...args) {
    countRequest(args[0]);
    return original.apply(this, args);
  };
}

function out(message) {
  // stdout is a pipe: writes are synchronous on Linux/macOS, so lines never interleave or get lost on exit.
  process.stdout.write(JSON.stringify(message) + '\n');
}

function log(...parts) {
  process.stderr.write('[client-driver] ' + parts.join(' ') + '\n');
}

/** Makes a received value JSON-safe: binary becomes {"$binary": base64}, recursively. */
function encode(value) {
  if (Buffer.isBuffer(value)) return { $binary: value.toString('base64') };
  if (value instanceof ArrayBuffer) return { $binary: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value)) {
    return { $binary: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const copy = {};
    for (const [k, v] of Object.entries(value)) copy[k] = encode(v);
    return copy;
  }
  return value;
}

/** Inverse of encode for outgoing args: {"$binary": base64} becomes a Buffer, recursively. */
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$binary' && typeof value.$binary === 'string') {
      return Buffer.from(value.$binary, 'base64');
    }
    const copy = {};
    for (const [k, v] of Object.entries(value)) copy[k] = decode(v);
    return copy;
  }
  return value;
}

function socketFor(cmd) {
  const socket = sockets.get(cmd.id);
  if (!socket) throw new Error(`unknown id: ${JSON.stringify(cmd.id)}`);
  return socket;
}

function connect(cmd) {
  const { id } = cmd;
  if (typeof id !== 'string' || id === '') throw new Error('connect needs a string "id"');
  const previous = sockets.get(id);
  if (previous && previous.active) throw new Error(`id ${JSON.stringify(id)} is still connected or connecting`);

  let socket;
  const shared = cmd.sameConnectionAs !== undefined && cmd.sameConnectionAs !== null;
  if (shared) {
    const owner = sockets.get(cmd.sameConnectionAs);
    if (!owner) throw new Error(`unknown sameConnectionAs id: ${JSON.stringify(cmd.sameConnectionAs)}`);
    const namespace = cmd.namespace || '/';
    // the Manager keeps one socket per namespace: a second id for it would share (and double) its lines
    if (owner.io.nsps[namespace]) {
      throw new Error(`the connection of ${JSON.stringify(cmd.sameConnectionAs)} already has ${namespace}`);
    }
    // the Manager opens (autoConnect) a socket for this namespace over its existing engine.io connection
    socket = owner.io.socket(namespace, { auth: cmd.auth || {} });
  } else {
    if (typeof cmd.url !== 'string') throw new Error('connect needs a string "url"');
    socket = io(cmd.url + (cmd.namespace || ''), {
      auth: cmd.auth || {},
      forceNew: true, // one Manager (= one engine.io connection) per id
      reconnection: false, // tests decide when to reconnect
      ...(cmd.options || {}),
    });
  }
  sockets.set(id, socket);

  socket.on('connect', () => {
    out({
      type: 'connect', id, socketId: socket.id, transport: socket.io.engine.transport.name,
      engineId: socket.io.engine.id,
    });
  });
  socket.on('connect_error', (err) => {
    // description: what the transport saw (a refused upgrade's status, a reset), for a test's failure message
    const description = err.description === undefined ? undefined : String(err.description.message || err.description);
    out({ type: 'connect_error', id, message: err.message, description, data: encode(err.data === undefined ? null : err.data) });
  });
  socket.on('disconnect', (reason) => {
    out({ type: 'disconnect', id, reason });
  });
  socket.onAny((event, ...args) => {
    const line = { type: 'event', id, event, args };
    // A trailing function means the server asked for an ack; Java answers with {"cmd":"ack","ackId":n}.
    if (args.length > 0 && typeof args[args.length - 1] === 'function') {
      const ackId = nextServerAckId++;
      serverAcks.set(ackId, args.pop());
      line.ackId = ackId;
    }
    line.args = encode(args);
    out(line);
  });
  // The Manager opens its engine synchronously in io() (autoConnect), so "upgrade" cannot be missed.
  // A socket sharing another id's connection reports no upgrade of its own: that id reports it.
  if (!shared) socket.io.on('open', () => {
    socket.io.engine.on('upgrade', (transport) => out({ type: 'upgrade', id, transport: transport.name }));
  });
}

function emit(cmd) {
  const socket = socketFor(cmd);
  if (typeof cmd.event !== 'string') throw new Error('emit needs a string "event"');
  const args = decode(Array.isArray(cmd.args) ? cmd.args : []);
  if (!cmd.ack) {
    socket.emit(cmd.event, ...args);
    return;
  }
  const { id, ref } = cmd;
  const timeoutMs = Number.isFinite(cmd.timeoutMs) ? cmd.timeoutMs : DEFAULT_ACK_TIMEOUT_MS;
  socket.timeout(timeoutMs).emit(cmd.event, ...args, (err, ...ackArgs) => {
    if (err) out({ type: 'ack_timeout', id, ref });
    else out({ type: 'ack', id, ref, args: encode(ackArgs) });
  });
}

function answerServerAck(cmd) {
  const callback = serverAcks.get(cmd.ackId);
  if (!callback) throw new Error(`unknown ackId: ${JSON.stringify(cmd.ackId)}`);
  serverAcks.delete(cmd.ackId);
  callback(...decode(Array.isArray(cmd.args) ? cmd.args : []));
}

function disconnect(cmd) {
  // also closes its dedicated Manager (forceNew) once no namespace of that connection is left
  socketFor(cmd).disconnect();
}

function requests(cmd) {
  out({ type: 'requests', ref: cmd.ref, withoutSid: requestCounts.withoutSid, bySid: requestCounts.bySid });
}

let exiting = false;
function exit() {
  if (exiting) return;
  exiting = true;
  for (const socket of sockets.values()) socket.disconnect();
  process.exit(0);
}

const handlers = { connect, emit, ack: answerServerAck, disconnect, requests, exit };

function handleLine(line) {
  if (line.trim() === '') return;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    out({ type: 'error', message: `not JSON: ${e.message}` });
    return;
  }
  try {
    const handler = cmd && handlers[cmd.cmd];
    if (!handler) throw new Error(`unknown cmd: ${JSON.stringify(cmd && cmd.cmd)}`);
    handler(cmd);
  } catch (e) {
    const error = { type: 'error', message: e.message };
    // Echo what identifies the command so the Java side can fail the right future/await.
    if (cmd && cmd.id !== undefined) error.id = cmd.id;
    if (cmd && cmd.ref !== undefined) error.ref = cmd.ref;
    out(error);
  }
}

process.on('uncaughtException', (e) => {
  log('uncaught:', e && e.stack ? e.stack : String(e));
  out({ type: 'error', message: `uncaught: ${e && e.message ? e.message : String(e)}` });
});

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', handleLine);
input.on('close', exit); // the Java side went away (or closed stdin on purpose)

out({ type: 'ready' });
