'use strict';
/*
 * The Node peer of the benchmarks: socket.io 4.8 with @socket.io/redis-adapter 8.3 on the benchmark's Redis,
 * the handlers in the server itself (the usual Node deployment). run.sh starts two of them on one Redis.
 *
 * usage: node --expose-gc peer-server.js <port> <redis-url> [pingIntervalMs]
 * prints {"type":"listening","port":<port>} once it accepts connections; runs until it is killed.
 *
 * Namespace /chat, the same contract as the Java server under test (BenchHandler):
 *   echo (...args)        ack -> ...args
 *   join (room)           ack -> room
 *   say  ({room,text})    ack -> true, and "said" {room,text} to the room (through the adapter)
 *   poke (text)           "poked" (text) to the caller through the adapter (io.to(id).emit), as a backend
 *                         that does not hold the socket would have to
 * Measurement only:
 *   mem                   ack -> process.memoryUsage() after a full GC
 *   received              ack -> how many messages this server's adapter took from Redis
 */
const http = require('node:http');
const { Server } = require('socket.io');
const { createClient } = require('redis');
const { createAdapter, RedisAdapter } = require('@socket.io/redis-adapter');

const port = Number(process.argv[2]);
const redisUrl = process.argv[3];
const pingInterval = Number(process.argv[4] || 25000);
if (!Number.isInteger(port) || port <= 0 || !redisUrl) {
  process.stderr.write('usage: node --expose-gc peer-server.js <port> <redis-url> [pingIntervalMs]\n');
  process.exit(2);
}

let received = 0;
const onmessage = RedisAdapter.prototype.onmessage;
RedisAdapter.prototype.onmessage = function counted(...args) {
  received++;
  return onmessage.apply(this, args);
};

function ackOf(args) {
  return args.length > 0 && typeof args[args.length - 1] === 'function' ? args.pop() : null;
}

async function main() {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);

  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub), pingInterval, transports: ['websocket'] });
  const chat = io.of('/chat');
  chat.on('connection', (socket) => {
    socket.on('echo', (...args) => {
      const ack = ackOf(args);
      if (ack) ack(...args);
    });
    socket.on('join', (room, ack) => {
      socket.join(room);
      if (typeof ack === 'function') ack(room);
    });
    socket.on('say', (message, ack) => {
      chat.to(message.room).emit('said', { room: message.room, text: message.text });
      if (typeof ack === 'function') ack(true);
    });
    socket.on('poke', (text) => {
      chat.to(socket.id).emit('poked', text);
    });
    socket.on('mem', (ack) => {
      if (global.gc) global.gc();
      ack(process.memoryUsage());
    });
    socket.on('received', (ack) => ack(received));
  });

  httpServer.listen(port, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ type: 'listening', port }) + '\n');
  });
}

main().catch((err) => {
  process.stderr.write(`peer-server failed: ${err.stack || err}\n`);
  process.exit(1);
});
