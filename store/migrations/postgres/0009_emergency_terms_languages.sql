-- The number an office's pages give people in danger, shown as a tel: link.
-- The column default is the domain's DefaultEmergencyNumber (a store test
-- checks that a new office gets it), so that offices created while an older
-- schema is open get it too.
ALTER TABLE offices ADD COLUMN emergency_number TEXT COLLATE "C" NOT NULL DEFAULT '112';

-- Privacy terms are published per language: each version records the
-- language it was published in (every version so far, and the default text of
-- a new office, is English), and
-- translations of a version are added later without making a new version.
ALTER TABLE terms_versions ADD COLUMN lang TEXT COLLATE "C" NOT NULL DEFAULT 'en';
CREATE TABLE terms_translations (
	office_id    BIGINT NOT NULL,
	version      BIGINT NOT NULL,
	lang         TEXT COLLATE "C"    NOT NULL,
	text         TEXT COLLATE "C"    NOT NULL,
	published_at BIGINT NOT NULL,
	PRIMARY KEY (office_id, version, lang),
	FOREIGN KEY (office_id, version) REFERENCES terms_versions (office_id, version)
);
