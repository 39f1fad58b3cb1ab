import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import { emptyRequest, emptyResponse } from './empty.js';

/**
 * Seal (type 11): seal the active segment; the next append opens a new one. Admin only
 * (FORBIDDEN otherwise).
 */
export const Seal = defineMessage(MessageType.Seal, 'Seal', emptyRequest, emptyResponse);
