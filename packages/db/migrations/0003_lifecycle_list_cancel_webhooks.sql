CREATE TYPE "public"."webhook_delivery_status" AS ENUM('pending', 'delivered', 'failed');--> statement-breakpoint
CREATE TABLE "webhook_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status_code" integer,
	"latency_ms" integer NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"prediction_id" uuid NOT NULL,
	"event" text NOT NULL,
	"url" text NOT NULL,
	"status" "webhook_delivery_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"last_status_code" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"enqueued_at" timestamp with time zone,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "predictions_created_at_idx";--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "webhook_secret" text;--> statement-breakpoint
ALTER TABLE "predictions" ADD COLUMN "webhook" text;--> statement-breakpoint
ALTER TABLE "predictions" ADD COLUMN "webhook_events_filter" text[];--> statement-breakpoint
ALTER TABLE "predictions" ADD COLUMN "cancel_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_prediction_id_predictions_id_fk" FOREIGN KEY ("prediction_id") REFERENCES "public"."predictions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_attempts_delivery_idx" ON "webhook_attempts" USING btree ("delivery_id","id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_prediction_idx" ON "webhook_deliveries" USING btree ("prediction_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_pending_idx" ON "webhook_deliveries" USING btree ("created_at") WHERE "webhook_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "predictions_client_created_idx" ON "predictions" USING btree ("client_id","created_at","id");--> statement-breakpoint
CREATE INDEX "predictions_client_status_created_idx" ON "predictions" USING btree ("client_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "predictions_created_id_idx" ON "predictions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "predictions_deadline_idx" ON "predictions" USING btree ("cancel_at") WHERE "predictions"."cancel_at" is not null and "predictions"."status" in ('queued', 'processing');--> statement-breakpoint
-- Hand-written (drizzle does not model triggers): the webhook outbox. A prediction with a webhook
-- gets a delivery row in the same transaction as the status change that its events filter asks
-- for (start: processing; completed: succeeded, failed or canceled), whichever statement of the
-- state machine made the change, so a crash between the change and the delivery loses nothing.
-- Predictions without a webhook skip the trigger (its WHEN clause), so the hot path pays nothing.
CREATE FUNCTION predictq_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event text := CASE
    WHEN NEW.status = 'processing' THEN 'start'
    WHEN NEW.status IN ('succeeded', 'failed', 'canceled') THEN 'completed'
  END;
BEGIN
  IF event IS NOT NULL AND event = ANY (coalesce(NEW.webhook_events_filter, ARRAY['completed'])) THEN
    INSERT INTO webhook_deliveries (prediction_id, event, url) VALUES (NEW.id, event, NEW.webhook);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER predictions_webhook_outbox AFTER UPDATE OF status ON predictions FOR EACH ROW
  WHEN (NEW.webhook IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION predictq_webhook_outbox();
