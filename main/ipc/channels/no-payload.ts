/** The schema of channels that take no argument. */
import { z } from 'zod';

/** Accepts only "nothing": a page that sends data to an argument-less channel is doing something odd. */
export const noPayload = z.undefined({ error: 'this call takes no argument' });
