'use strict';
/*
 * Reference implementation of the chat contract, on plain Node socket.io 4.8.
 * Used to prove the test harness (client-driver.js + NodeClients) against a server known to be correct.
 *
 * usage: node reference-chat-server.js <port>
 * prints {"type":"listening","port":<port>} on stdout once it accepts connections.
 *
 * Namespace /chat (other namespaces are rejected by socket.io itself):
 *   handshake auth.name        -> user name (default "anonymous")
 *   join  (room)        ack -> room        joins the room
 *   leave (room)        ack -> room        leaves the room
 *   say   ({room,text}) ack -> true        emits "said" {room,name,text} to everyone in the room
 *   echo  (...args)     ack -> ...args
 *   whoami              ack -> {id,name}
 * Harness-only extra (not part of the chat contract), to prove server-to-client acks:
 *   ask   (question)    emits "question" (question) to the caller with an ack, then acks the caller's answer
 */
const http = require('node:http');
const { Server } = require('socket.io');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: node reference-chat-server.js <port>\n');
  process.exit(2);
}

const httpServer = http.createServer();
const ioServer = new Server(httpServer);
const chat = ioServer.of('/chat');

/** Calls the ack if the client asked for one; clients may also emit without an ack. */
function reply(args, ...values) {
  const ack = args.length > 0 && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null;
  if (ack) ack(...values);
}

chat.on('connection', (socket) => {
  const name = (socket.handshake.auth && socket.handshake.auth.name) || 'anonymous';

  socket.on('join', (room, ...rest) => {
    socket.join(room);
    reply(rest, room);
  });
  socket.on('leave', (room, ...rest) => {
    socket.leave(room);
    reply(rest, room);
  });
  socket.on('say', (message, ...rest) => {
    chat.to(message.room).emit('said', { room: message.room, name, text: message.text });
    reply(rest, true);
  });
  socket.on('echo', (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    if (ack) ack(...args);
  });
  socket.on('whoami', (...rest) => reply(rest, { id: socket.id, name }));
  socket.on('ask', (question, ...rest) => {
    socket.emit('question', question, (answer) => reply(rest, answer));
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ type: 'listening', port }) + '\n');
});

// Exit with the parent: the Java test closes our stdin (or just dies).
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
