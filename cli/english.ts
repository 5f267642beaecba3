import type { Message } from '../electron/api/contract/messages/index.ts';
import { formatters } from '../renderer/src/i18n/formatters.ts';
import { formatMessage } from '../renderer/src/i18n/messages/catalogue.ts';
import { en } from '../renderer/src/i18n/messages/en.ts';

const english = formatters('en-GB', 'EUR');

/** A backend message in the words the English screens use: the CLI speaks English. */
export const inEnglish = (message: Message): string => formatMessage(message, en, english);
