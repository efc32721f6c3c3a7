CREATE TABLE "model_hourly_quality" (
	"model_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"feedback" integer DEFAULT 0 NOT NULL,
	"chosen" integer DEFAULT 0 NOT NULL,
	"none" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "model_hourly_quality_model_id_hour_pk" PRIMARY KEY("model_id","hour")
);
--> statement-breakpoint
CREATE TABLE "prediction_hourly_counts" (
	"hour" timestamp with time zone PRIMARY KEY NOT NULL,
	"predictions" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_state" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"materialized_until" timestamp with time zone NOT NULL,
	CONSTRAINT "rollup_state_one_row" CHECK ("rollup_state"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "model_hourly_quality" ADD CONSTRAINT "model_hourly_quality_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Hand-written: the one state row. '-infinity' means nothing is rolled up yet, so the first read of
-- a quality window or of /content/info rolls up every closed hour of an existing database once.
INSERT INTO "rollup_state" ("id", "materialized_until") VALUES (1, '-infinity') ON CONFLICT DO NOTHING;
