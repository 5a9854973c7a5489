'use strict';
// The HL7 interface engine of TestHospitalE2E: @medplum/hl7's MLLP server.
// It acknowledges every message (MSA AA, with the receiving application of
// the message as its own, MSH-3 of the ACK) and appends each message it
// received to a file, so the test can check what really crossed the wire.
//
//   node hl7-engine.js PORT RECEIVED_FILE
const fs = require('node:fs');
const { Hl7Server } = require('@medplum/hl7');

const [port, received] = process.argv.slice(2);
const server = new Hl7Server((conn) => {
  conn.addEventListener('message', ({ message }) => {
    fs.appendFileSync(received, message.toString().replace(/\r/g, '\n') + '\n');
    conn.send(message.buildAck());
  });
});
server.start(Number(port));
server.server.on('listening', () => console.log(`hl7-engine: listening on ${port}`));
process.on('SIGTERM', () => {
  server.stop({ forceDrainTimeoutMs: 200 }).finally(() => process.exit(0));
});
