'use strict';
// A plain TCP service and client for TestHospitalE2E (the "internet" host a
// pump phones home to).
//
//   node tcp.js listen PORT LOG    accept connections, log what arrives, answer "ok"
//   node tcp.js send HOST PORT TEXT
const fs = require('node:fs');
const net = require('node:net');

const [mode, ...args] = process.argv.slice(2);
if (mode === 'listen') {
  const [port, log] = args;
  const server = net.createServer((sock) => {
    sock.on('data', (d) => {
      fs.appendFileSync(log, `${sock.remoteAddress} ${d.toString()}\n`);
      sock.end('ok\n');
    });
    sock.on('error', () => {});
  });
  server.listen(Number(port), () => console.log(`tcp: listening on ${port}`));
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'send') {
  const [host, port, text] = args;
  const sock = net.connect({ host, port: Number(port) }, () => sock.write(text));
  let answer = '';
  sock.setTimeout(5000, () => { console.error('tcp: timeout'); process.exit(1); });
  sock.on('data', (d) => { answer += d.toString(); });
  sock.on('end', () => { console.log(`tcp: answer ${answer.trim()}`); process.exit(answer.startsWith('ok') ? 0 : 1); });
  sock.on('error', (err) => { console.error(`tcp: ${err.message}`); process.exit(1); });
} else {
  console.error('usage: tcp.js listen PORT LOG | send HOST PORT TEXT');
  process.exit(2);
}
