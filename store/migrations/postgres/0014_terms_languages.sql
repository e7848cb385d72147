-- Each consent records the language of the privacy terms text the person
-- accepted, so that their data export shows them the very text they agreed
-- to. Consents recorded before are in the language the version was published
-- in ('' reads as that language).
ALTER TABLE consents ADD COLUMN lang TEXT COLLATE "C" NOT NULL DEFAULT '';

-- The default privacy terms of a new office are stored in every offered
-- language, not only translated when a page is drawn. Offices whose version 1
-- is still the untouched English default get the German, Danish and Dutch
-- texts as translations of that version (the texts of the message catalogue
-- when this migration was written); offices that changed it keep their own.
INSERT INTO terms_translations (office_id, version, lang, text, published_at)
	SELECT office_id, 1, 'de', 'Was du schreibst, speichern wir verschlüsselt und zeigen es nur der Beraterin oder dem Berater, die oder der dir antwortet.
Du brauchst keinen echten Namen. Eine E-Mail-Adresse ist freiwillig und dient nur dazu, dir zu sagen, dass eine Antwort wartet; Berater*innen sehen sie nie.
Wir speichern keine IP-Adresse. Das einzige Cookie hält dich angemeldet und wird beim Abmelden entfernt.
Du kannst alles herunterladen, was wir über dich gespeichert haben, und dein Konto jederzeit löschen; danach bleiben nur anonyme Zahlen.', published_at FROM terms_versions
	WHERE version = 1 AND lang = 'en' AND text = 'We keep what you write encrypted and show it only to the counsellor who answers you.
You need no real name. An email address is optional and used only to tell you that an answer is waiting; counsellors never see it.
We store no IP address. The only cookie keeps you logged in and is removed when you log out.
You can download everything we hold about you, and delete your account at any time; afterwards only anonymous numbers remain.'
	ON CONFLICT DO NOTHING;
INSERT INTO terms_translations (office_id, version, lang, text, published_at)
	SELECT office_id, 1, 'da', 'Vi gemmer det, du skriver, krypteret og viser det kun til den rådgiver, der svarer dig.
Du behøver ikke et rigtigt navn. En e-mailadresse er frivillig og bruges kun til at fortælle dig, at et svar venter; rådgivere ser den aldrig.
Vi gemmer ingen IP-adresse. Den eneste cookie holder dig logget ind og fjernes, når du logger ud.
Du kan downloade alt, hvad vi har om dig, og slette din konto når som helst; bagefter er der kun anonyme tal tilbage.', published_at FROM terms_versions
	WHERE version = 1 AND lang = 'en' AND text = 'We keep what you write encrypted and show it only to the counsellor who answers you.
You need no real name. An email address is optional and used only to tell you that an answer is waiting; counsellors never see it.
We store no IP address. The only cookie keeps you logged in and is removed when you log out.
You can download everything we hold about you, and delete your account at any time; afterwards only anonymous numbers remain.'
	ON CONFLICT DO NOTHING;
INSERT INTO terms_translations (office_id, version, lang, text, published_at)
	SELECT office_id, 1, 'nl', 'Wat je schrijft bewaren we versleuteld en we laten het alleen zien aan de hulpverlener die je antwoordt.
Je hebt geen echte naam nodig. Een e-mailadres is vrijwillig en wordt alleen gebruikt om je te laten weten dat er een antwoord klaarstaat; hulpverleners zien het nooit.
We bewaren geen IP-adres. De enige cookie houdt je aangemeld en verdwijnt als je je afmeldt.
Je kunt alles downloaden wat we over je bewaren en je account op elk moment verwijderen; daarna blijven alleen anonieme getallen over.', published_at FROM terms_versions
	WHERE version = 1 AND lang = 'en' AND text = 'We keep what you write encrypted and show it only to the counsellor who answers you.
You need no real name. An email address is optional and used only to tell you that an answer is waiting; counsellors never see it.
We store no IP address. The only cookie keeps you logged in and is removed when you log out.
You can download everything we hold about you, and delete your account at any time; afterwards only anonymous numbers remain.'
	ON CONFLICT DO NOTHING;
