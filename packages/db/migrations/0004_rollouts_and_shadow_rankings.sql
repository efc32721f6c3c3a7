CREATE TYPE "public"."rollout_decision" AS ENUM('started', 'promote', 'rollback', 'complete', 'superseded');--> statement-breakpoint
CREATE TYPE "public"."rollout_mode" AS ENUM('shadow', 'canary');--> statement-breakpoint
CREATE TYPE "public"."rollout_status" AS ENUM('running', 'promoted', 'rolled_back', 'completed', 'superseded');--> statement-breakpoint
ALTER TYPE "public"."model_status" ADD VALUE 'shadow' BEFORE 'active';--> statement-breakpoint
ALTER TYPE "public"."model_status" ADD VALUE 'canary' BEFORE 'active';--> statement-breakpoint
CREATE TABLE "rollout_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rollout_id" uuid NOT NULL,
	"decision" "rollout_decision" NOT NULL,
	"reason" text NOT NULL,
	"figures" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"model_id" uuid NOT NULL,
	"baseline_model_id" uuid NOT NULL,
	"mode" "rollout_mode" NOT NULL,
	"status" "rollout_status" DEFAULT 'running' NOT NULL,
	"share" real NOT NULL,
	"policy" jsonb NOT NULL,
	"last_check" jsonb,
	"checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shadow_rankings" (
	"prediction_id" uuid NOT NULL,
	"model_id" uuid NOT NULL,
	"rank" smallint NOT NULL,
	"location_id" integer NOT NULL,
	"score" real NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shadow_rankings_prediction_id_model_id_rank_pk" PRIMARY KEY("prediction_id","model_id","rank")
);
--> statement-breakpoint
ALTER TABLE "rollout_decisions" ADD CONSTRAINT "rollout_decisions_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_baseline_model_id_models_id_fk" FOREIGN KEY ("baseline_model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shadow_rankings" ADD CONSTRAINT "shadow_rankings_prediction_id_predictions_id_fk" FOREIGN KEY ("prediction_id") REFERENCES "public"."predictions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shadow_rankings" ADD CONSTRAINT "shadow_rankings_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shadow_rankings" ADD CONSTRAINT "shadow_rankings_location_id_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rollout_decisions_rollout_idx" ON "rollout_decisions" USING btree ("rollout_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "rollouts_one_running_idx" ON "rollouts" USING btree ("status") WHERE "rollouts"."status" = 'running';--> statement-breakpoint
CREATE INDEX "rollouts_model_created_idx" ON "rollouts" USING btree ("model_id","created_at");--> statement-breakpoint
CREATE INDEX "shadow_rankings_model_created_idx" ON "shadow_rankings" USING btree ("model_id","created_at");