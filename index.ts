// n8n loads the nodes and credentials listed in package.json's "n8n" section; this entry point
// exposes the same classes for anyone who imports the package programmatically.
export { AsteriskAmiTrigger } from './nodes/AsteriskAmiTrigger/AsteriskAmiTrigger.node';
export { CallEventTrigger } from './nodes/CallEventTrigger/CallEventTrigger.node';
export { MissedCallFilter } from './nodes/MissedCallFilter/MissedCallFilter.node';
export { XslMailComposer } from './nodes/XslMailComposer/XslMailComposer.node';
export { AsteriskAmi } from './credentials/AsteriskAmi.credentials';
export { CallEventBasicAuth } from './credentials/CallEventBasicAuth.credentials';
export { CallEventHeaderAuth } from './credentials/CallEventHeaderAuth.credentials';
export { MissedCallSmtp } from './credentials/MissedCallSmtp.credentials';
