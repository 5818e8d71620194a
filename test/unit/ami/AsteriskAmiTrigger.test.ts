/**
 * The Asterisk AMI Trigger node against a loopback AMI server (test/support/amiReplayServer.ts),
 * with a minimal trigger context standing in for n8n: what the user sees when the login is wrong or
 * the PBX cannot be reached, in the editor's "Test step" and in a published workflow.
 */
import * as net from 'net';
import type { IDataObject, INodeExecutionData, INodeProperties, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { AsteriskAmiTrigger } from '../../../nodes/AsteriskAmiTrigger/AsteriskAmiTrigger.node';
import type { CallRecord } from '../../../nodes/shared/callModel';
import { startAmiReplayServer, type AmiReplayServerOptions } from '../../support/amiReplayServer';
import { callsAcrossPublishing } from './amiEvents';
import { readCapture } from './captures';
import { SECRET, USER, closedPort, onCleanup, server, sleep, waitFor } from './loopback';

interface FakeContext {
	context: ITriggerFunctions;
	emitted: INodeExecutionData[][][];
	errors: Error[];
	warnings: string[];
}

let workflows = 0;

/**
 * What the node reads from n8n, and what it hands back: emitted items, errors, log warnings. Each
 * context is a workflow of its own unless given the id of one published before: a published
 * trigger's calls are kept per workflow and node.
 */
function fakeContext(
	mode: 'manual' | 'trigger',
	port: number,
	secret = SECRET,
	options: IDataObject = {},
	workflowId = `wf${++workflows}`,
): FakeContext {
	const fake: Omit<FakeContext, 'context'> = { emitted: [], errors: [], warnings: [] };
	const node = { id: 'n1', name: 'Asterisk AMI Trigger', type: 'asteriskAmiTrigger', typeVersion: 1 };
	const context = {
		getCredentials: async () => ({ host: '127.0.0.1', port, username: USER, secret, tls: false }),
		getNodeParameter: () => options,
		getNode: () => node,
		getWorkflow: () => ({ id: workflowId }),
		getMode: () => mode,
		logger: {
			debug: () => undefined,
			info: () => undefined,
			warn: (message: string) => fake.warnings.push(message),
			error: () => undefined,
		},
		emit: (data: INodeExecutionData[][]) => fake.emitted.push(data),
		emitError: (error: Error) => fake.errors.push(error),
	};
	return { context: context as unknown as ITriggerFunctions, ...fake };
}

async function trigger(fake: FakeContext): Promise<ITriggerResponse> {
	const response = await new AsteriskAmiTrigger().trigger.call(fake.context);
	onCleanup(async () => response.closeFunction?.());
	return response;
}

/**
 * A TCP relay in front of `port`: the node connects here, and the test sees each connection it
 * opened and whether the node closed it before the server did (the replay server does not tell).
 */
async function relay(port: number): Promise<{ port: number; connections: Array<{ closedByNode: boolean }> }> {
	const connections: Array<{ closedByNode: boolean }> = [];
	const sockets = new Set<net.Socket>();
	const proxy = net.createServer((client) => {
		const connection = { closedByNode: false };
		let serverGone = false;
		connections.push(connection);
		const upstream = net.connect(port, '127.0.0.1');
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('error', () => undefined);
			socket.on('close', () => sockets.delete(socket));
		}
		client.pipe(upstream);
		upstream.pipe(client);
		client.on('end', () => (connection.closedByNode = true));
		client.on('close', () => {
			if (!serverGone) connection.closedByNode = true;
			upstream.destroy();
		});
		upstream.on('close', () => {
			serverGone = true;
			client.destroy();
		});
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	onCleanup(
		() =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				proxy.close(() => resolve());
			}),
	);
	return { port: (proxy.address() as net.AddressInfo).port, connections };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a rejection');
}

describe('AsteriskAmiTrigger, Test step (manual mode)', () => {
	it('shows the first resolved call and disconnects', async () => {
		const ami = await server();
		const between = await relay(ami.port);
		const fake = fakeContext('manual', between.port);
		const response = await trigger(fake);
		await response.manualTriggerFunction!();
		expect(fake.emitted).toHaveLength(1);
		const [[[item]]] = fake.emitted;
		expect(item.json as IDataObject).toMatchObject({ kind: 'call', outcome: 'missed' });
		// The server keeps the connection open after the capture: only the node can close it.
		await waitFor(() => between.connections[0]?.closedByNode === true, 'the node closing its connection');
		// A reconnect would come within the client's first back-off delay, at most 1 s.
		await sleep(1500);
		expect(between.connections).toEqual([{ closedByNode: true }]);
		expect(ami.connections).toHaveLength(1);
	});

	it('a refused login ends the test with an error naming host, port and the AMI message', async () => {
		const ami = await server();
		const fake = fakeContext('manual', ami.port, 'wrong');
		const response = await trigger(fake);
		const error = await rejection(response.manualTriggerFunction!());
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(
			`Asterisk AMI at 127.0.0.1:${ami.port} refused the login as "n8n": Authentication failed`,
		);
		// No second attempt with the same secret (the client's first retry would come after ~1 s).
		await sleep(1200);
		expect(ami.connections).toHaveLength(1);
		expect(fake.emitted).toEqual([]);
	});

	it('an unreachable PBX ends the test with an error naming host and port', async () => {
		const port = await closedPort();
		const fake = fakeContext('manual', port);
		const response = await trigger(fake);
		const error = await rejection(response.manualTriggerFunction!());
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(`Connection to Asterisk AMI at 127.0.0.1:${port} failed`);
		expect((error as NodeOperationError).description).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+\. Check host/);
	});
});

describe('AsteriskAmiTrigger, published workflow (trigger mode)', () => {
	it('a refused first login fails the activation instead of looking active', async () => {
		const ami = await server();
		const fake = fakeContext('trigger', ami.port, 'wrong');
		const error = await rejection(new AsteriskAmiTrigger().trigger.call(fake.context));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(
			`Asterisk AMI at 127.0.0.1:${ami.port} refused the login as "n8n": Authentication failed`,
		);
		await sleep(1200);
		expect(ami.connections).toHaveLength(1);
	});

	it('an option an expression set out of bounds fails the activation naming it, before connecting', async () => {
		const ami = await server();
		const fake = fakeContext('trigger', ami.port, SECRET, { silenceMinutes: 'thirty' });
		const error = await rejection(new AsteriskAmiTrigger().trigger.call(fake.context));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Options → Silence Timeout (Minutes) is "thirty"; it must be a number of minutes, 1 or more');
		// A connection started anyway would reach the loopback server well within this.
		await sleep(200);
		expect(ami.connections).toHaveLength(0);
	});

	it.each(['trigger', 'manual'] as const)('a Trunk Pattern that is no regular expression fails in %s mode naming it, before connecting', async (mode) => {
		const ami = await server();
		const fake = fakeContext(mode, ami.port, SECRET, { trunkPattern: '(trunk' });
		const error = await rejection(
			(async () => {
				const response = await new AsteriskAmiTrigger().trigger.call(fake.context);
				await response.manualTriggerFunction?.();
			})(),
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/^Options → Trunk Pattern: "\(trunk" is not a valid regular expression/);
		await sleep(200);
		expect(ami.connections).toHaveLength(0);
	});

	it('a Presence From Registrations that is no true or false fails naming it, before connecting', async () => {
		const ami = await server();
		const fake = fakeContext('trigger', ami.port, SECRET, { presenceFromRegistrations: 'yes' });
		const error = await rejection(new AsteriskAmiTrigger().trigger.call(fake.context));
		expect(error).toBeInstanceOf(NodeOperationError);
		const { properties } = new AsteriskAmiTrigger().description;
		const options = properties.find((property) => property.name === 'options')!;
		const option = (options.options as INodeProperties[]).find((property) => property.name === 'presenceFromRegistrations')!;
		expect(error.message).toBe(`${options.displayName} → ${option.displayName} is "yes"; it must be true or false`);
		await sleep(200);
		expect(ami.connections).toHaveLength(0);
	});

	it('a login refused after a reconnect (secret changed on the PBX) is reported with emitError', async () => {
		const options: AmiReplayServerOptions = {
			username: USER,
			secret: SECRET,
			capture: readCapture('unanswered-cancel'),
			dropAfterBytes: Number.MAX_SAFE_INTEGER,
		};
		// Started here, not with server(): the test changes the secret the server expects.
		const ami = await startAmiReplayServer(options);
		onCleanup(() => ami.close());
		const fake = fakeContext('trigger', ami.port);
		await trigger(fake);
		await waitFor(() => fake.emitted.length === 1, 'the call of the capture');
		// The server hangs up after the capture; the PBX's secret changes before the reconnect.
		options.secret = 'changed';
		await waitFor(() => fake.errors.length === 1, 'the error');
		expect(fake.errors[0]).toBeInstanceOf(NodeOperationError);
		expect(fake.errors[0].message).toBe(
			`Asterisk AMI at 127.0.0.1:${ami.port} refused the login as "n8n": Authentication failed`,
		);
		// Were the client still retrying, its next attempt would follow the refusal after the
		// second back-off delay: 2000 ms less up to 20 % jitter (AmiClient defaults), so at most 2 s.
		await sleep(2600);
		expect(ami.connections).toHaveLength(2);
		expect(ami.connections.map((connection) => connection.logins.map((login) => login.accepted))).toEqual([
			[true],
			[false],
		]);
		expect(fake.errors).toHaveLength(1);
	});

	it('an unreachable PBX is not fatal: activation succeeds, the client keeps retrying', async () => {
		const port = await closedPort();
		const fake = fakeContext('trigger', port);
		await trigger(fake);
		expect(fake.warnings[0]).toMatch(
			new RegExp(`^Asterisk AMI at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*; retrying in \\d+ ms$`),
		);
		await waitFor(() => fake.warnings.length === 2, 'the second attempt');
		expect(fake.errors).toEqual([]);
	});

	it('a dropped connection reconnects without an error, and the call still arrives', async () => {
		const capture = readCapture('unanswered-cancel');
		const ami = await server({ dropAfterBytes: capture.indexOf('Event: Hangup') });
		const fake = fakeContext('trigger', ami.port);
		await trigger(fake);
		await waitFor(() => fake.emitted.length === 1, 'the call after the reconnect');
		expect(ami.connections).toHaveLength(2);
		expect(fake.errors).toEqual([]);
	});
});

describe('AsteriskAmiTrigger, published again while calls ring (trigger mode)', () => {
	// Call A answered before the publishing, call B ringing across it (amiEvents.ts), on the PBX's clock.
	const { callIdA, beforePublishing, afterPublishing, missedB, answeredB } = callsAcrossPublishing(1770888600);

	const recordsOf = (fake: FakeContext) => fake.emitted.flat(2).map((item) => item.json as unknown as CallRecord);
	const callIds = (fake: FakeContext) => recordsOf(fake).map((record) => record.callId);

	/**
	 * A PBX that has sent `beforePublishing` to the published trigger (call A answered, B ringing),
	 * through a relay that shows who closed the connection.
	 */
	async function publishedWithCallRinging() {
		const options: AmiReplayServerOptions = { username: USER, secret: SECRET, capture: beforePublishing };
		const ami = await startAmiReplayServer(options);
		onCleanup(() => ami.close());
		const between = await relay(ami.port);
		const first = fakeContext('trigger', between.port);
		const response = await trigger(first);
		await waitFor(() => first.emitted.length === 1, 'call A, answered');
		expect(recordsOf(first).map((record) => [record.callId, record.outcome])).toEqual([[callIdA, 'answered']]);
		const workflowId = (first.context.getWorkflow() as { id: string }).id;
		const again = (mode: 'manual' | 'trigger', port: number, options: IDataObject = {}) =>
			fakeContext(mode, port, SECRET, options, workflowId);
		return {
			ami,
			between,
			first,
			response,
			again,
			/** Publishes the workflow again (`options`) while the PBX goes on: what the new trigger emits till B ends. */
			async publishedAgain(status: 'NOANSWER' | 'ANSWER', triggerOptions: IDataObject = {}): Promise<CallRecord[]> {
				options.capture = Buffer.concat([beforePublishing, afterPublishing(status)]);
				const next = again('trigger', ami.port, triggerOptions);
				await trigger(next);
				await waitFor(() => callIds(next).includes(missedB.callId), 'call B');
				return recordsOf(next);
			},
		};
	}

	it.each([
		['not answered', 'NOANSWER', missedB],
		['answered', 'ANSWER', answeredB],
	] as const)(
		'a call ringing while the workflow is published again (another Silence Timeout) ends %s in one record, as if nothing happened; a late event of a call resolved before starts nothing',
		async (_, status, expected) => {
			const { ami, response, publishedAgain } = await publishedWithCallRinging();
			// n8n's order: the old trigger is closed, then the new one started.
			await response.closeFunction!();
			// Call A's stragglers came before B's end: had they started a call, it would be here first.
			expect(await publishedAgain(status, { silenceMinutes: 45 })).toEqual([expected]);
			expect(ami.connections).toHaveLength(2);
		},
	);

	it('published again before n8n closed the old trigger: the new connection takes the calls over, the late close leaves them', async () => {
		const { ami, between, first, response, again, publishedAgain } = await publishedWithCallRinging();
		const toSecond = await relay(ami.port);
		const second = again('trigger', toSecond.port);
		const secondResponse = await trigger(second);
		await waitFor(() => between.connections[0]?.closedByNode === true, 'the old connection closed');
		await response.closeFunction!();
		expect(toSecond.connections).toEqual([{ closedByNode: false }]);
		// The calls are still there for the next publication after that.
		await secondResponse.closeFunction!();
		expect(await publishedAgain('NOANSWER')).toEqual([missedB]);
		expect([first, second].map(callIds)).toEqual([[callIdA], []]);
	});

	it("the editor's Test step of the published workflow leaves the published trigger's connection and calls alone", async () => {
		const { between, response, again, publishedAgain } = await publishedWithCallRinging();
		// Another PBX for the test, so that its calls cannot reach the published trigger's.
		const test = again('manual', (await server()).port);
		await (await trigger(test)).manualTriggerFunction!();
		expect(callIds(test)).toEqual(['1770888559.46']);
		expect(between.connections).toEqual([{ closedByNode: false }]);
		await response.closeFunction!();
		expect(await publishedAgain('NOANSWER')).toEqual([missedB]);
	});
});
