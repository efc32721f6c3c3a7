-- The list's queries (GET /v1/predictions) as the API sends them, under EXPLAIN (ANALYZE, BUFFERS):
-- psql -d <a database grown with npm run fill> -f scripts/explain-list.sql
\set cols 'p.id, p.status, p.client_id, p.idempotency_key, p.people_num, p.people_age, p.children_num, p.budget, p.nights, to_char(p.time_arrival, ''YYYY-MM-DD'') AS time_arrival, p.pool, p.spa, p.pet_friendly, p.lake, p.mountain, p.sport, p.age_avg, p.age_std, p.age_min, p.age_max, p.profile, p.model_id, m.version AS model_version, p.error, p.attempts, p.shown_rank, p.shown_at, p.webhook, p.webhook_events_filter, p.cancel_at, p.created_at, p.started_at, p.completed_at, p.created_at::text AS position'
\echo '== 1. a client first page (limit 20)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM predictions p LEFT JOIN models m ON m.id = p.model_id WHERE p.client_id = '00000000-0000-0000-0000-000000000000'::uuid ORDER BY p.created_at DESC, p.id DESC LIMIT 21;
\echo '== 2. a deep page (cursor half-way)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM predictions p LEFT JOIN models m ON m.id = p.model_id WHERE p.client_id = '00000000-0000-0000-0000-000000000000'::uuid AND (p.created_at, p.id) < ('2026-11-14 00:00:00+00'::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) ORDER BY p.created_at DESC, p.id DESC LIMIT 21;
\echo '== 3. status filter (succeeded) + created range'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM predictions p LEFT JOIN models m ON m.id = p.model_id WHERE p.client_id = '00000000-0000-0000-0000-000000000000'::uuid AND p.status = ANY('{succeeded}'::prediction_status[]) AND p.created_at >= '2026-11-10T00:00:00Z' AND p.created_at < '2026-11-12T00:00:00Z' ORDER BY p.created_at DESC, p.id DESC LIMIT 21;
\echo '== 4. the operator (every client)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM predictions p LEFT JOIN models m ON m.id = p.model_id ORDER BY p.created_at DESC, p.id DESC LIMIT 21;
\echo '== 5. idempotency key'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM predictions p LEFT JOIN models m ON m.id = p.model_id WHERE p.client_id = '00000000-0000-0000-0000-000000000000'::uuid AND p.idempotency_key = 'k-1' ORDER BY p.created_at DESC, p.id DESC LIMIT 21;
\echo '== 6. model version'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM predictions p LEFT JOIN models m ON m.id = p.model_id WHERE p.client_id = '00000000-0000-0000-0000-000000000000'::uuid AND p.model_id = (SELECT id FROM models WHERE version = 1) ORDER BY p.created_at DESC, p.id DESC LIMIT 21;
\echo '== 7. a rare status (failed) over everything'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT :cols FROM predictions p LEFT JOIN models m ON m.id = p.model_id WHERE p.client_id = '00000000-0000-0000-0000-000000000000'::uuid AND p.status = ANY('{canceled}'::prediction_status[]) ORDER BY p.created_at DESC, p.id DESC LIMIT 21;
