// Baseline for bench/submit.ts: the least a submit endpoint can do — a bare Express 5 handler that
// parses JSON and runs one INSERT with pg into the same table of the same database (no validation,
// no ticket counter, no mail jobs, no audit context). Run as its own process like the product.
//   DATABASE_URL=… PORT=… node --import tsx bench/baseline-server.ts
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();
app.use(express.json({ limit: '64kb' }));

app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.post('/api/v1/contact/submit', async (req, res) => {
  const b = req.body as Record<string, string>;
  const { rows } = await pool.query<{ id: string; ticket_number: string; created_at: Date }>(
    `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, updated_at)
     VALUES (gen_random_uuid(), 'B-' || gen_random_uuid(), $1, $2, $3, $4, $5::"TicketCategory", now())
     RETURNING id, ticket_number, created_at`,
    [b.name, b.email, b.subject, b.message, b.category ?? 'general'],
  );
  res.status(201).json(rows[0]);
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
