// REST for the SLA settings, mounted at /api/v1/sla: parse → service → shape. Staff read the
// calendar and the policies, admins replace them (PUT, the whole document); every staff member
// sets their own morning-digest opt-out. The services check the actor again.
import { Router, type Request } from 'express';
import { requireAdminRole, requireStaffRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { toCalendarJson, toPolicyJson } from './sla.schema.js';
import {
  getCalendar,
  getDigestOptOut,
  getPolicies,
  putCalendar,
  putPolicies,
  setDigestOptOut,
  type SettingsMeta,
} from './sla.settings.js';

const meta = (req: Request): SettingsMeta => ({ source: 'api', requestId: req.id });

export function createSlaRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/calendar', requireStaffRole, async (req, res) => {
    res.json(toCalendarJson(await getCalendar(ctx, req.actor!)));
  });
  router.put('/calendar', requireAdminRole, requireJson(), async (req, res) => {
    res.json(toCalendarJson(await putCalendar(ctx, req.actor!, req.body ?? {}, meta(req))));
  });

  router.get('/policies', requireStaffRole, async (req, res) => {
    res.json({ policies: (await getPolicies(ctx, req.actor!)).map(toPolicyJson) });
  });
  router.put('/policies', requireAdminRole, requireJson(), async (req, res) => {
    res.json({ policies: (await putPolicies(ctx, req.actor!, req.body ?? {}, meta(req))).map(toPolicyJson) });
  });

  router.get('/digest', requireStaffRole, async (req, res) => {
    res.json({ digest_opt_out: await getDigestOptOut(ctx, req.actor!) });
  });
  router.put('/digest', requireStaffRole, requireJson(), async (req, res) => {
    res.json({ digest_opt_out: await setDigestOptOut(ctx, req.actor!, req.body ?? {}) });
  });

  return router;
}
