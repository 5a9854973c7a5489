'use strict';
// The second HL7 v2 sender of TestHospitalE2E (the EHR's ADT feed):
// simple-hl7's MLLP client sends every message in FILE, one connection per
// message, and waits for each acknowledgement.
//
//   node hl7-send-simple.js HOST PORT FILE
const hl7 = require('simple-hl7');
const readMessages = require('./hl7msgs.js');

function send(host, port, text) {
  return new Promise((resolve, reject) => {
    const client = hl7.Server.createTcpClient({ host, port: Number(port) });
    const msg = new hl7.Parser({ segmentSeperator: '\r' }).parse(text);
    const timer = setTimeout(() => reject(new Error('no acknowledgement within 5s')), 5000);
    client.send(msg, (err, ack) => {
      clearTimeout(timer);
      if (err) return reject(err);
      resolve(ack);
    });
  });
}

async function main() {
  const [host, port, file] = process.argv.slice(2);
  for (const text of readMessages(file)) {
    const ack = await send(host, port, text);
    const code = ack.getSegment('MSA').getField(1);
    console.log(`hl7-send-simple: ${ack.header.getField(1)} answered ${code}`);
    if (code !== 'AA') throw new Error(`acknowledgement ${code}`);
  }
}

main().catch((err) => {
  console.error(`hl7-send-simple: ${err.stack || err}`);
  process.exit(1);
});
