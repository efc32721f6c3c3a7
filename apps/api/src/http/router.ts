// Routers of the API: case-sensitive, so that /METRICS is not /metrics (a proxy rule that keeps
// /metrics private would not see it).
import { Router } from 'express';

export const router = (): Router => Router({ caseSensitive: true });
