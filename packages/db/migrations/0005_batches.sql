CREATE TYPE "public"."batch_status" AS ENUM('running', 'completed', 'canceled');--> statement-breakpoint
CREATE TABLE "batch_row_errors" (
	"batch_id" uuid NOT NULL,
	"row" integer NOT NULL,
	"field" text NOT NULL,
	"reason" text NOT NULL,
	"request_id" text,
	CONSTRAINT "batch_row_errors_batch_id_row_field_pk" PRIMARY KEY("batch_id","row","field")
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"client_id" uuid DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL,
	"status" "batch_status" DEFAULT 'running' NOT NULL,
	"idempotency_key" text,
	"request_hash" text,
	"format" text NOT NULL,
	"row_count" integer DEFAULT 0 NOT NULL,
	"accepted_count" integer DEFAULT 0 NOT NULL,
	"rejected_count" integer DEFAULT 0 NOT NULL,
	"window_size" integer NOT NULL,
	"fed_row" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"canceled_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "predictions_unfinished_idx";--> statement-breakpoint
ALTER TABLE "predictions" ADD COLUMN "batch_id" uuid;--> statement-breakpoint
ALTER TABLE "predictions" ADD COLUMN "batch_row" integer;--> statement-breakpoint
ALTER TABLE "predictions" ADD COLUMN "batch_request_id" text;--> statement-breakpoint
ALTER TABLE "batch_row_errors" ADD CONSTRAINT "batch_row_errors_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batches" ADD CONSTRAINT "batches_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "batches_client_idempotency_key_key" ON "batches" USING btree ("client_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "batches_client_created_idx" ON "batches" USING btree ("client_id","created_at","id");--> statement-breakpoint
CREATE INDEX "batches_running_idx" ON "batches" USING btree ("created_at") WHERE "batches"."status" = 'running';--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "predictions_batch_row_key" ON "predictions" USING btree ("batch_id","batch_row");--> statement-breakpoint
CREATE INDEX "predictions_batch_unfinished_idx" ON "predictions" USING btree ("batch_id","batch_row") WHERE "predictions"."status" in ('queued', 'processing');--> statement-breakpoint
CREATE INDEX "predictions_unfinished_idx" ON "predictions" USING btree ("created_at") WHERE "predictions"."status" in ('queued', 'processing') and "predictions"."batch_id" is null;