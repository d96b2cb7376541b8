-- Who started a DHIS2 push: the monthly schedule, or an admin's "push now" (the
-- admin's account in started_by). Jobs before this migration were all scheduled.
ALTER TABLE dhis2_jobs ADD COLUMN origin TEXT NOT NULL DEFAULT 'scheduled' CHECK (origin IN ('scheduled','manual'));
ALTER TABLE dhis2_jobs ADD COLUMN started_by INTEGER REFERENCES users(id);
