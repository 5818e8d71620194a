import { readFileSync } from 'node:fs';
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { choicesOf } from '../shared/nodeDescription';
import type { Notification } from '../shared/notification';
import { booleanSetting, choiceSetting } from '../shared/settings';
import { Deliveries, sentMailsOf } from './deliveries';
import { xslMailComposerProperties } from './description';
import { composeMail, type ComposedMail, type SenderMode } from './render/composeMail';
import { formatAddress } from './render/address';
import { languageFor, listLanguages, loadLanguage, LANGUAGES_DIR } from './render/languages';
import { onRenderThreads } from './render/renderThreads';
import { linkPrefixFor, type TelephonyLinkMode } from './render/telephonyLink';
import { templateText } from './render/templateText';
import { compileTemplate, DEFAULT_TEMPLATE_FILE, type CompiledTemplate } from './render/xslTemplate';
import {
	closeTransport,
	SendFailures,
	sendMail,
	type SendingReport,
	smtpErrorMessage,
	smtpTransport,
	type SmtpSettings,
	withUnsentMails,
} from './smtp';

const ACTIONS = choicesOf(xslMailComposerProperties, 'action');
const TEMPLATE_SOURCES = choicesOf(xslMailComposerProperties, 'templateSource');

export class XslMailComposer implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'XSL Mail Composer',
		name: 'xslMailComposer',
		icon: 'file:xslMailComposer.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["action"] === "send" ? "send over SMTP" : "compose only"}}',
		description:
			'Renders a missed-call e-mail through an XSL template in the recipient\'s language, and sends it or hands it on',
		defaults: { name: 'XSL Mail Composer' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{
				name: 'missedCallSmtp',
				required: true,
				testedBy: 'missedCallSmtpTest',
				displayOptions: { show: { action: ['send'] } },
			},
		],
		properties: xslMailComposerProperties,
	};

	methods = {
		loadOptions: {
			async getLanguages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return [
					{ name: 'Recipient\'s Language', value: 'recipient' },
					...languageOptions(),
				];
			},
			async getFileLanguages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return languageOptions();
			},
		},
		credentialTest: {
			async missedCallSmtpTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const settings = credential.data as unknown as SmtpSettings;
				const transport = smtpTransport(settings);
				try {
					await transport.verify();
					// Without a user nodemailer only greets the server: a server that wants a login says so only when mailing.
					const message = settings.user ? 'Connected and logged in' : 'Connected; no login tried, as User is empty';
					return { status: 'OK', message };
				} catch (error) {
					return { status: 'Error', message: smtpErrorMessage(error, settings) };
				} finally {
					closeTransport(transport);
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();

		const deliveries = new Deliveries(items.map((item) => (item.json as Partial<Notification>).remembered));
		const notSent = (itemIndex: number, error: string, to?: string): INodeExecutionData => {
			deliveries.notDelivered(itemIndex);
			return { json: { error, ...(to && { to }) }, pairedItem: { item: itemIndex } };
		};

		// Settings shared by every item are checked once: a wrong one fails the run, naming it, or
		// with "continue on fail" marks every item with the error (never passes them on unsent).
		let action: string;
		let linkPrefix: string | null;
		let sharedTemplate: CompiledTemplate | undefined;
		try {
			// A value the editor does not offer (a hand-edited workflow file) must not quietly compose instead of send.
			action = choiceSetting('action', this.getNodeParameter('action', 0), ACTIONS, 'Action');
			const templateSource = choiceSetting(
				'templateSource',
				this.getNodeParameter('templateSource', 0),
				TEMPLATE_SOURCES,
				'Template',
			);
			linkPrefix = linkPrefixFor(
				this.getNodeParameter('linkPrefix', 0) as TelephonyLinkMode,
				this.getNodeParameter('customLinkPrefix', 0, '') as string,
			);
			if (templateSource === 'default') {
				sharedTemplate = compileRendered(readFileSync(DEFAULT_TEMPLATE_FILE, 'utf8'));
			} else if (templateSource === 'parameter') {
				sharedTemplate = compileRendered(this.getNodeParameter('templateXsl', 0) as string);
			}
		} catch (error) {
			if (this.continueOnFail()) return [items.map((_, itemIndex) => notSent(itemIndex, (error as Error).message))];
			deliveries.failedAt(0, false);
			throw new NodeOperationError(node, error as Error);
		}
		const availableLanguages = listLanguages().map((language) => language.tag);
		// A workflow file without node ids still has unique node names.
		const alreadySent = sentMailsOf(this.getExecutionId(), node.id ?? node.name);

		const returnData: INodeExecutionData[] = [];
		const failures = new SendFailures();
		let itemIndex = 0;
		let transport: ReturnType<typeof smtpTransport> | undefined;
		let smtpSettings: SmtpSettings | undefined;
		try {
			if (action === 'send') {
				smtpSettings = await this.getCredentials<SmtpSettings & IDataObject>('missedCallSmtp');
				transport = smtpTransport(smtpSettings);
			}
			for (; itemIndex < items.length; itemIndex++) {
				const pairedItem = { item: itemIndex };
				let mail: ComposedMail;
				try {
					const notification = items[itemIndex].json as unknown as Notification;
					const choice = this.getNodeParameter('language', itemIndex) as string;
					const language =
						choice === 'recipient'
							? languageFor(
									LANGUAGES_DIR,
									notification.recipient?.language,
									this.getNodeParameter('defaultLanguage', itemIndex, 'en') as string,
									availableLanguages,
								)
							: loadLanguage(LANGUAGES_DIR, choice);
					mail = await composeMail(notification, {
						from: this.getNodeParameter('fromEmail', itemIndex) as string,
						senderMode: this.getNodeParameter('senderMode', itemIndex) as SenderMode,
						linkPrefix,
						attachVCard: booleanSetting('attachVCard', this.getNodeParameter('attachVCard', itemIndex), 'Attach Caller vCard'),
						language,
						defaultTimeZone: this.getTimezone(),
						template: sharedTemplate ?? (await templateFromBinary(this, itemIndex)),
					});
				} catch (error) {
					if (this.continueOnFail()) {
						returnData.push(notSent(itemIndex, (error as Error).message));
						continue;
					}
					const failure = new NodeOperationError(node, error as Error, { itemIndex });
					failure.description = withUnsentMails(failure.description, failures.report());
					throw failure;
				}

				if (!transport) {
					returnData.push(await composedItem(this, mail, itemIndex));
					deliveries.delivered(itemIndex);
					continue;
				}
				try {
					// Keyed by what the mail is, so a loop that runs this node again with other items sends them.
					const key = JSON.stringify([itemIndex, mail.to.address, mail.headers['X-Missed-Call-Id'], mail.subject]);
					let result = alreadySent.get(key);
					if (!result) {
						result = await sendMail(transport, mail);
						alreadySent.set(key, result);
					}
					// Sent, perhaps on a retry after this execution had failed: counts (again).
					failures.noteSent();
					deliveries.delivered(itemIndex);
					returnData.push({
						json: { ...result, to: mail.to.address, subject: mail.subject, notes: mail.notes },
						pairedItem,
					});
				} catch (error) {
					const failure = { itemIndex, to: mail.to.address, error, reason: smtpErrorMessage(error, smtpSettings!) };
					if (this.continueOnFail()) {
						returnData.push(notSent(itemIndex, failure.reason, failure.to));
						continue;
					}
					if (!failures.goOnAfter(failure)) throw sendingFailed(node, failures.report()!);
					deliveries.notDelivered(itemIndex);
				}
			}
			const report = failures.report();
			if (report) throw sendingFailed(node, report);
		} catch (error) {
			deliveries.failedAt(itemIndex, transport !== undefined);
			throw error;
		} finally {
			if (transport) closeTransport(transport);
		}
		return [returnData];
	}
}

/**
 * The execution's error for mails not sent. The reasons and recipients go into the description
 * too: n8n replaces a message that contains an error code (ECONNREFUSED, ETIMEDOUT …) by its own text.
 */
function sendingFailed(node: INode, { first, message, description }: SendingReport): NodeApiError {
	return new NodeApiError(node, first.error as JsonObject, { itemIndex: first.itemIndex, message, description });
}

function languageOptions(): INodePropertyOptions[] {
	return listLanguages().map((language) => ({ name: language.name, value: language.tag }));
}

/** Compiled and checked here (errors name the line); rendered on the render threads. */
function compileRendered(xsl: string): CompiledTemplate {
	return onRenderThreads(compileTemplate(xsl));
}

async function templateFromBinary(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<CompiledTemplate> {
	const property = context.getNodeParameter('templateBinaryProperty', itemIndex) as string;
	const buffer = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	// Compiled once per distinct template text: the cache makes every further item a lookup.
	return compileRendered(templateText(buffer));
}

/** Compose only: the fields n8n's Send Email node takes, attachments as binary properties. */
async function composedItem(
	context: IExecuteFunctions,
	mail: ComposedMail,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const binary: INodeExecutionData['binary'] = {};
	for (const [index, attachment] of mail.attachments.entries()) {
		binary[`attachment_${index}`] = await context.helpers.prepareBinaryData(
			attachment.content,
			attachment.filename,
			attachment.contentType,
		);
	}
	return {
		json: {
			from: formatAddress(mail.from),
			sender: mail.sender ? formatAddress(mail.sender) : undefined,
			replyTo: mail.replyTo ? formatAddress(mail.replyTo) : undefined,
			to: formatAddress(mail.to),
			subject: mail.subject,
			html: mail.html,
			text: mail.text,
			headers: mail.headers,
			language: mail.language,
			// For the Send Email node's "Attachments (File)" option (fileAttachments).
			attachments: Object.keys(binary).join(','),
			notes: mail.notes,
		},
		binary,
		pairedItem: { item: itemIndex },
	};
}
