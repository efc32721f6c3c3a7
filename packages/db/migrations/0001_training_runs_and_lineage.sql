CREATE TYPE "public"."model_source" AS ENUM('baseline', 'training', 'upload');--> statement-breakpoint
CREATE TYPE "public"."training_split" AS ENUM('train', 'holdout');--> statement-breakpoint
CREATE TYPE "public"."training_status" AS ENUM('queued', 'running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "training_examples" (
	"training_run_id" uuid NOT NULL,
	"prediction_id" uuid NOT NULL,
	"location_id" integer NOT NULL,
	"label" smallint NOT NULL,
	"split" "training_split" NOT NULL,
	CONSTRAINT "training_examples_training_run_id_prediction_id_location_id_pk" PRIMARY KEY("training_run_id","prediction_id","location_id")
);
--> statement-breakpoint
CREATE TABLE "training_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" "training_status" DEFAULT 'queued' NOT NULL,
	"params" jsonb NOT NULL,
	"progress" jsonb,
	"result" jsonb,
	"model_id" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "models" ALTER COLUMN "artifact_path" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "source" "model_source" DEFAULT 'baseline' NOT NULL;--> statement-breakpoint
ALTER TABLE "models" ADD COLUMN "training_run_id" uuid;--> statement-breakpoint
ALTER TABLE "training_examples" ADD CONSTRAINT "training_examples_training_run_id_training_runs_id_fk" FOREIGN KEY ("training_run_id") REFERENCES "public"."training_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_examples" ADD CONSTRAINT "training_examples_prediction_id_predictions_id_fk" FOREIGN KEY ("prediction_id") REFERENCES "public"."predictions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "training_examples_prediction_idx" ON "training_examples" USING btree ("prediction_id");--> statement-breakpoint
CREATE INDEX "training_runs_created_at_idx" ON "training_runs" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "models" ADD CONSTRAINT "models_training_run_id_training_runs_id_fk" FOREIGN KEY ("training_run_id") REFERENCES "public"."training_runs"("id") ON DELETE no action ON UPDATE no action;