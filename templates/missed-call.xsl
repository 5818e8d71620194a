<?xml version="1.0" encoding="UTF-8"?>
<!--
	Default missed-call e-mail. One file gives the whole mail:
	  * called normally ($format = 'html'): the HTML part; its <title> becomes the subject;
	  * with $format = 'text': the plain-text part.
	Input: the notification document described in SCHEMA.md (sample: sample-notification.xml).
	All wording comes from /notification/strings (the language files); to change a text, change the
	language file, not this template. Mail clients ignore <style> blocks and scripts, so the layout
	is tables with inline styles only.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
	<xsl:param name="format" select="'html'"/>

	<xsl:variable name="n" select="/notification"/>
	<xsl:variable name="s" select="/notification/strings"/>
	<xsl:variable name="thirdParty" select="/notification/call/reason = 'answeredByThirdParty'"/>
	<!-- No name and no number: "Unknown tried to reach you" reads badly, so these have their own strings. -->
	<xsl:variable name="unknown" select="/notification/caller/unknown = 'true'"/>
	<!-- How long it rang for the recipient (their own phones), else for anyone: a forward rang others after them. -->
	<xsl:variable name="ringDuration" select="/notification/recipient/ringDuration/text | /notification/call/ringDuration/text[not(/notification/recipient/ringDuration)]"/>
	<!-- Not answered, but a voicemail box took it: there may be a message waiting. -->
	<xsl:variable name="voicemail" select="not($thirdParty) and boolean(/notification/call/voicemail)"/>
	<xsl:variable name="accent">
		<xsl:choose>
			<xsl:when test="$thirdParty">#1d6b57</xsl:when>
			<xsl:otherwise>#b42318</xsl:otherwise>
		</xsl:choose>
	</xsl:variable>
	<xsl:variable name="font">font-family:Helvetica,Arial,sans-serif;</xsl:variable>
	<xsl:variable name="muted">color:#5b6675;</xsl:variable>

	<xsl:template match="/">
		<xsl:choose>
			<xsl:when test="$format = 'text'">
				<xsl:call-template name="text"/>
			</xsl:when>
			<xsl:otherwise>
				<xsl:call-template name="html"/>
			</xsl:otherwise>
		</xsl:choose>
	</xsl:template>

	<!-- ===== shared pieces ===== -->

	<xsl:template name="subject">
		<xsl:choose>
			<xsl:when test="$thirdParty and $unknown"><xsl:value-of select="$s/subjectAnsweredByThirdPartyUnknown"/></xsl:when>
			<xsl:when test="$thirdParty"><xsl:value-of select="$s/subjectAnsweredByThirdParty"/></xsl:when>
			<xsl:when test="$voicemail and $unknown"><xsl:value-of select="$s/subjectVoicemailUnknown"/></xsl:when>
			<xsl:when test="$voicemail"><xsl:value-of select="$s/subjectVoicemail"/></xsl:when>
			<xsl:when test="$unknown"><xsl:value-of select="$s/subjectMissedUnknown"/></xsl:when>
			<xsl:otherwise><xsl:value-of select="$s/subjectMissed"/></xsl:otherwise>
		</xsl:choose>
	</xsl:template>

	<xsl:template name="heading">
		<xsl:choose>
			<xsl:when test="$thirdParty"><xsl:value-of select="$s/headingAnsweredByThirdParty"/></xsl:when>
			<xsl:when test="$voicemail"><xsl:value-of select="$s/headingVoicemail"/></xsl:when>
			<xsl:otherwise><xsl:value-of select="$s/headingMissed"/></xsl:otherwise>
		</xsl:choose>
	</xsl:template>

	<xsl:template name="intro">
		<xsl:choose>
			<xsl:when test="$thirdParty"><xsl:value-of select="$s/introAnsweredByThirdParty"/></xsl:when>
			<xsl:when test="$voicemail and $unknown"><xsl:value-of select="$s/introVoicemailUnknown"/></xsl:when>
			<xsl:when test="$voicemail"><xsl:value-of select="$s/introVoicemail"/></xsl:when>
			<xsl:when test="$unknown"><xsl:value-of select="$s/introMissedUnknown"/></xsl:when>
			<xsl:otherwise><xsl:value-of select="$s/introMissed"/></xsl:otherwise>
		</xsl:choose>
	</xsl:template>

	<!-- "14:03 Uhr (MEZ)": the zone, so that a recipient whose own zone is not set sees which one this is
	     (unless the language's time format shows it already). -->
	<xsl:template name="startTime">
		<xsl:variable name="at" select="$n/call/startedAt"/>
		<xsl:value-of select="$at/time"/>
		<xsl:if test="string($at/time) and not(contains($at/time, $at/zone))">
			<xsl:value-of select="concat(' (', $at/zone, ')')"/>
		</xsl:if>
	</xsl:template>

	<!-- the lines in the order of the contact's country ("Springfield, IL 62704"; "80331 München") -->
	<xsl:template name="address">
		<xsl:for-each select="$n/contact/addressLines/line">
			<xsl:if test="position() &gt; 1">, </xsl:if>
			<xsl:value-of select="."/>
		</xsl:for-each>
	</xsl:template>

	<xsl:template name="answeredBy">
		<xsl:value-of select="$n/call/answeredBy/label"/>
		<xsl:if test="$n/call/answeredBy/pickup = 'true'">
			<xsl:text> (</xsl:text><xsl:value-of select="$s/pickupNote"/><xsl:text>)</xsl:text>
		</xsl:if>
	</xsl:template>

	<!-- "Owner (line)" is a language string: its filling keeps a right-to-left name from taking the line number into its run -->
	<xsl:template name="voicemail">
		<xsl:choose>
			<xsl:when test="$n/call/voicemail/ownerName"><xsl:value-of select="$s/voicemailOwnerLine"/></xsl:when>
			<xsl:otherwise><xsl:value-of select="$n/call/voicemail/line"/></xsl:otherwise>
		</xsl:choose>
	</xsl:template>

	<xsl:template name="legResult">
		<xsl:value-of select="resultText"/>
		<xsl:if test="divertedTo">
			<xsl:text> → </xsl:text>
			<xsl:choose>
				<xsl:when test="divertedToName"><xsl:value-of select="divertedToName"/></xsl:when>
				<xsl:otherwise><xsl:value-of select="divertedToDisplay"/></xsl:otherwise>
			</xsl:choose>
		</xsl:if>
	</xsl:template>

	<!-- ===== HTML part ===== -->

	<!-- One label/value line of a details table; nothing when the value is empty. -->
	<xsl:template name="row">
		<xsl:param name="label"/>
		<xsl:param name="value"/>
		<xsl:param name="href"/>
		<!-- the value's lines (contact/noteLines/line), written with <br> between them -->
		<xsl:param name="lines"/>
		<xsl:if test="normalize-space($value)">
			<tr>
				<td valign="top" style="{$font}{$muted}font-size:14px;line-height:20px;padding:6px 16px 6px 0;white-space:nowrap;width:1%;"><xsl:value-of select="$label"/></td>
				<td valign="top" style="{$font}color:#1b2430;font-size:15px;line-height:20px;padding:6px 0;">
					<xsl:choose>
						<xsl:when test="string($href)">
							<a href="{$href}" style="color:{$accent};text-decoration:underline;"><xsl:value-of select="$value"/></a>
						</xsl:when>
						<xsl:when test="$lines">
							<xsl:for-each select="$lines">
								<xsl:if test="position() &gt; 1"><br/></xsl:if>
								<xsl:value-of select="."/>
							</xsl:for-each>
						</xsl:when>
						<xsl:otherwise><xsl:value-of select="$value"/></xsl:otherwise>
					</xsl:choose>
				</td>
			</tr>
		</xsl:if>
	</xsl:template>

	<xsl:template name="sectionHeading">
		<xsl:param name="text"/>
		<tr>
			<td style="{$font}color:#1b2430;font-size:13px;font-weight:bold;letter-spacing:0.5px;text-transform:uppercase;padding:20px 28px 4px 28px;border-top:1px solid #e6e9ee;"><xsl:value-of select="$text"/></td>
		</tr>
	</xsl:template>

	<xsl:template name="html">
		<xsl:variable name="c" select="$n/contact"/>
		<html lang="{$n/recipient/language}">
			<head>
				<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
				<meta name="viewport" content="width=device-width, initial-scale=1"/>
				<!-- The colours are chosen for a light background: mail clients in dark mode keep them. -->
				<meta name="color-scheme" content="light"/>
				<meta name="supported-color-schemes" content="light"/>
				<title><xsl:call-template name="subject"/></title>
			</head>
			<body style="margin:0;padding:0;background-color:#eef1f5;">
				<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#eef1f5;">
					<tr>
						<td align="center" style="padding:24px 12px;">
							<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border:1px solid #dde2e8;border-radius:10px;border-collapse:separate;">
								<!-- heading band -->
								<tr>
									<!-- Not in capitals and not spaced out: it can hold a name ("Strauß"), and spacing breaks Arabic letters apart. -->
									<td style="{$font}background-color:{$accent};color:#ffffff;font-size:15px;font-weight:bold;padding:16px 28px;border-radius:9px 9px 0 0;">
										<xsl:call-template name="heading"/>
									</td>
								</tr>
								<!-- who called -->
								<tr>
									<td style="{$font}padding:26px 28px 4px 28px;">
										<div style="color:#1b2430;font-size:26px;line-height:32px;font-weight:bold;"><xsl:value-of select="$n/caller/label"/></div>
										<!-- the company, unless it is already the name above (a company-only contact) -->
										<xsl:variable name="company" select="$c/company[. != $n/caller/label]"/>
										<xsl:if test="$company or $c/title">
											<div style="{$muted}font-size:16px;line-height:22px;padding-top:4px;">
												<xsl:value-of select="$c/title"/>
												<xsl:if test="$c/title and $company"> · </xsl:if>
												<xsl:value-of select="$company"/>
											</div>
										</xsl:if>
										<div style="color:#1b2430;font-size:15px;line-height:22px;padding-top:14px;"><xsl:call-template name="intro"/></div>
									</td>
								</tr>
								<!-- the number: a big tap target, plain text, or the withheld note -->
								<tr>
									<td style="{$font}padding:18px 28px 22px 28px;">
										<xsl:choose>
											<xsl:when test="$n/caller/withheld">
												<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
													<tr>
														<td style="{$font}background-color:#fff6e5;border-left:4px solid #e8a317;color:#5c4206;font-size:15px;line-height:21px;padding:12px 16px;">
															<strong><xsl:value-of select="$n/caller/withheld"/></strong><br/>
															<xsl:value-of select="$s/withheldNote"/>
														</td>
													</tr>
												</table>
											</xsl:when>
											<xsl:when test="string($n/caller/link)">
												<table role="presentation" cellpadding="0" cellspacing="0" border="0">
													<tr>
														<td align="center" style="background-color:{$accent};border-radius:8px;">
															<a href="{$n/caller/link}" style="{$font}display:inline-block;padding:14px 26px;color:#ffffff;font-size:19px;line-height:24px;font-weight:bold;text-decoration:none;border-radius:8px;">&#9742;&#160;&#160;<xsl:value-of select="$n/caller/display"/></a>
														</td>
													</tr>
												</table>
												<div style="{$font}{$muted}font-size:13px;line-height:18px;padding-top:8px;"><xsl:value-of select="$s/callBack"/></div>
											</xsl:when>
											<xsl:otherwise>
												<div style="color:#1b2430;font-size:22px;line-height:28px;font-weight:bold;">&#9742;&#160;&#160;<xsl:value-of select="$n/caller/display"/></div>
											</xsl:otherwise>
										</xsl:choose>
									</td>
								</tr>
								<!-- when, how long, who took it -->
								<xsl:call-template name="sectionHeading"><xsl:with-param name="text" select="$s/headingCall"/></xsl:call-template>
								<tr>
									<td style="padding:4px 28px 16px 28px;">
										<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
											<xsl:call-template name="row">
												<xsl:with-param name="label" select="$s/labelDate"/>
												<xsl:with-param name="value" select="$n/call/startedAt/date"/>
											</xsl:call-template>
											<xsl:call-template name="row">
												<xsl:with-param name="label" select="$s/labelTime"/>
												<xsl:with-param name="value"><xsl:call-template name="startTime"/></xsl:with-param>
											</xsl:call-template>
											<xsl:call-template name="row">
												<xsl:with-param name="label" select="$s/labelRingDuration"/>
												<xsl:with-param name="value" select="$ringDuration"/>
											</xsl:call-template>
											<xsl:if test="$thirdParty">
												<xsl:call-template name="row">
													<xsl:with-param name="label" select="$s/labelAnsweredBy"/>
													<xsl:with-param name="value"><xsl:call-template name="answeredBy"/></xsl:with-param>
												</xsl:call-template>
											</xsl:if>
											<xsl:call-template name="row">
												<xsl:with-param name="label" select="$s/labelVoicemail"/>
												<xsl:with-param name="value"><xsl:call-template name="voicemail"/></xsl:with-param>
											</xsl:call-template>
											<xsl:call-template name="row">
												<xsl:with-param name="label" select="$s/labelCalledNumber"/>
												<xsl:with-param name="value" select="$n/call/calledDisplay"/>
											</xsl:call-template>
										</table>
									</td>
								</tr>
								<!-- contact details -->
								<xsl:if test="$c/email or $c/phone or $c/mobile or $c/addressLines or $c/url or $c/note">
									<xsl:call-template name="sectionHeading"><xsl:with-param name="text" select="$s/headingContact"/></xsl:call-template>
									<tr>
										<td style="padding:4px 28px 16px 28px;">
											<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
												<xsl:call-template name="row">
													<xsl:with-param name="label" select="$s/labelEmail"/>
													<xsl:with-param name="value" select="$c/email"/>
													<xsl:with-param name="href" select="concat('mailto:', $c/email)"/>
												</xsl:call-template>
												<xsl:call-template name="row">
													<xsl:with-param name="label" select="$s/labelPhone"/>
													<xsl:with-param name="value" select="$c/phone"/>
													<xsl:with-param name="href" select="$c/phoneLink"/>
												</xsl:call-template>
												<xsl:call-template name="row">
													<xsl:with-param name="label" select="$s/labelMobile"/>
													<xsl:with-param name="value" select="$c/mobile"/>
													<xsl:with-param name="href" select="$c/mobileLink"/>
												</xsl:call-template>
												<xsl:call-template name="row">
													<xsl:with-param name="label" select="$s/labelAddress"/>
													<xsl:with-param name="value"><xsl:call-template name="address"/></xsl:with-param>
												</xsl:call-template>
												<xsl:call-template name="row">
													<xsl:with-param name="label" select="$s/labelWebsite"/>
													<xsl:with-param name="value" select="$c/url"/>
												</xsl:call-template>
												<xsl:call-template name="row">
													<xsl:with-param name="label" select="$s/labelNote"/>
													<xsl:with-param name="value" select="$c/note"/>
													<xsl:with-param name="lines" select="$c/noteLines/line"/>
												</xsl:call-template>
											</table>
										</td>
									</tr>
								</xsl:if>
								<!-- where it rang -->
								<xsl:if test="$n/call/legs/leg">
									<xsl:call-template name="sectionHeading"><xsl:with-param name="text" select="$s/headingLegs"/></xsl:call-template>
									<tr>
										<td style="padding:8px 28px 20px 28px;">
											<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
												<tr>
													<td style="{$font}{$muted}font-size:12px;line-height:16px;padding:0 8px 6px 0;border-bottom:1px solid #dde2e8;"><xsl:value-of select="$s/columnUser"/></td>
													<td style="{$font}{$muted}font-size:12px;line-height:16px;padding:0 8px 6px 0;border-bottom:1px solid #dde2e8;"><xsl:value-of select="$s/columnTime"/></td>
													<td style="{$font}{$muted}font-size:12px;line-height:16px;padding:0 8px 6px 0;border-bottom:1px solid #dde2e8;"><xsl:value-of select="$s/columnDuration"/></td>
													<td style="{$font}{$muted}font-size:12px;line-height:16px;padding:0 0 6px 0;border-bottom:1px solid #dde2e8;"><xsl:value-of select="$s/columnResult"/></td>
												</tr>
												<xsl:for-each select="$n/call/legs/leg">
													<xsl:variable name="weight">
														<xsl:choose>
															<xsl:when test="mine = 'true'">font-weight:bold;</xsl:when>
															<xsl:otherwise>font-weight:normal;</xsl:otherwise>
														</xsl:choose>
													</xsl:variable>
													<tr>
														<td valign="top" style="{$font}{$weight}color:#1b2430;font-size:14px;line-height:19px;padding:8px 8px 8px 0;border-bottom:1px solid #eef1f5;">
															<xsl:value-of select="ownerName"/>
															<div style="{$muted}font-size:12px;line-height:16px;font-weight:normal;"><xsl:value-of select="$s/columnLine"/><xsl:text>&#160;</xsl:text><xsl:value-of select="line"/></div>
														</td>
														<td valign="top" style="{$font}color:#1b2430;font-size:14px;line-height:19px;padding:8px 8px 8px 0;border-bottom:1px solid #eef1f5;white-space:nowrap;">
															<xsl:value-of select="ringingFrom/timeWithSeconds"/>
														</td>
														<td valign="top" style="{$font}color:#1b2430;font-size:14px;line-height:19px;padding:8px 8px 8px 0;border-bottom:1px solid #eef1f5;white-space:nowrap;">
															<xsl:value-of select="duration/text"/>
														</td>
														<td valign="top" style="{$font}color:#1b2430;font-size:14px;line-height:19px;padding:8px 0;border-bottom:1px solid #eef1f5;">
															<xsl:call-template name="legResult"/>
														</td>
													</tr>
												</xsl:for-each>
											</table>
										</td>
									</tr>
								</xsl:if>
								<!-- footer -->
								<tr>
									<td style="{$font}{$muted}background-color:#f7f8fa;font-size:12px;line-height:18px;padding:16px 28px;border-top:1px solid #e6e9ee;border-radius:0 0 9px 9px;">
										<xsl:if test="$n/vcardAttached = 'true'">
											<xsl:value-of select="$s/vcardAttached"/><br/>
										</xsl:if>
										<xsl:value-of select="$s/footer"/>
									</td>
								</tr>
							</table>
						</td>
					</tr>
				</table>
			</body>
		</html>
	</xsl:template>

	<!-- ===== plain-text part ===== -->

	<xsl:template name="line">
		<xsl:param name="label"/>
		<xsl:param name="value"/>
		<xsl:if test="normalize-space($value)">
			<xsl:value-of select="concat($label, $s/labelSeparator, $value)"/><xsl:text>&#10;</xsl:text>
		</xsl:if>
	</xsl:template>

	<xsl:template name="text">
		<xsl:variable name="c" select="$n/contact"/>
		<xsl:call-template name="heading"/><xsl:text>&#10;&#10;</xsl:text>
		<xsl:call-template name="intro"/><xsl:text>&#10;&#10;</xsl:text>
		<!-- Each only when it says something the next line does not: no name is the number, or unknown. -->
		<xsl:if test="not($unknown) and string($n/caller/label) != string($n/caller/display)">
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelCaller"/>
				<xsl:with-param name="value" select="$n/caller/label"/>
			</xsl:call-template>
		</xsl:if>
		<xsl:call-template name="line">
			<xsl:with-param name="label" select="$s/labelJobTitle"/>
			<xsl:with-param name="value" select="$c/title"/>
		</xsl:call-template>
		<xsl:call-template name="line">
			<xsl:with-param name="label" select="$s/labelCompany"/>
			<xsl:with-param name="value" select="$c/company[. != $n/caller/label]"/>
		</xsl:call-template>
		<!-- No number: the withheld text says so itself ("Number: No caller number" would repeat it). -->
		<xsl:choose>
			<xsl:when test="$n/caller/withheld">
				<xsl:value-of select="$n/caller/withheld"/><xsl:text>&#10;</xsl:text>
				<xsl:value-of select="$s/withheldNote"/><xsl:text>&#10;</xsl:text>
			</xsl:when>
			<xsl:otherwise>
				<xsl:call-template name="line">
					<xsl:with-param name="label" select="$s/labelNumber"/>
					<xsl:with-param name="value" select="$n/caller/display"/>
				</xsl:call-template>
				<!-- The link as text: mail programs make it a link to dial, as the HTML part's button is. -->
				<xsl:call-template name="line">
					<xsl:with-param name="label" select="$s/callBack"/>
					<xsl:with-param name="value" select="$n/caller/link"/>
				</xsl:call-template>
			</xsl:otherwise>
		</xsl:choose>
		<xsl:text>&#10;</xsl:text>
		<xsl:call-template name="line">
			<xsl:with-param name="label" select="$s/labelDate"/>
			<xsl:with-param name="value" select="$n/call/startedAt/date"/>
		</xsl:call-template>
		<xsl:call-template name="line">
			<xsl:with-param name="label" select="$s/labelTime"/>
			<xsl:with-param name="value"><xsl:call-template name="startTime"/></xsl:with-param>
		</xsl:call-template>
		<xsl:call-template name="line">
			<xsl:with-param name="label" select="$s/labelRingDuration"/>
			<xsl:with-param name="value" select="$ringDuration"/>
		</xsl:call-template>
		<xsl:if test="$thirdParty">
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelAnsweredBy"/>
				<xsl:with-param name="value"><xsl:call-template name="answeredBy"/></xsl:with-param>
			</xsl:call-template>
		</xsl:if>
		<xsl:call-template name="line">
			<xsl:with-param name="label" select="$s/labelVoicemail"/>
			<xsl:with-param name="value"><xsl:call-template name="voicemail"/></xsl:with-param>
		</xsl:call-template>
		<xsl:call-template name="line">
			<xsl:with-param name="label" select="$s/labelCalledNumber"/>
			<xsl:with-param name="value" select="$n/call/calledDisplay"/>
		</xsl:call-template>
		<xsl:if test="$c/email or $c/phone or $c/mobile or $c/addressLines or $c/url or $c/note">
			<xsl:text>&#10;</xsl:text>
			<xsl:value-of select="$s/headingContact"/><xsl:text>&#10;</xsl:text>
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelEmail"/>
				<xsl:with-param name="value" select="$c/email"/>
			</xsl:call-template>
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelPhone"/>
				<xsl:with-param name="value" select="$c/phone"/>
			</xsl:call-template>
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelMobile"/>
				<xsl:with-param name="value" select="$c/mobile"/>
			</xsl:call-template>
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelAddress"/>
				<xsl:with-param name="value"><xsl:call-template name="address"/></xsl:with-param>
			</xsl:call-template>
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelWebsite"/>
				<xsl:with-param name="value" select="$c/url"/>
			</xsl:call-template>
			<xsl:call-template name="line">
				<xsl:with-param name="label" select="$s/labelNote"/>
				<xsl:with-param name="value" select="$c/note"/>
			</xsl:call-template>
		</xsl:if>
		<xsl:if test="$n/call/legs/leg">
			<xsl:text>&#10;</xsl:text>
			<xsl:value-of select="$s/headingLegs"/><xsl:text>&#10;</xsl:text>
			<xsl:for-each select="$n/call/legs/leg">
				<!-- The mark (LRM) keeps a line that starts with an Arabic or Hebrew name left to right. -->
				<xsl:text>&#8206;- </xsl:text>
				<xsl:if test="ownerName"><xsl:value-of select="ownerName"/><xsl:text>, </xsl:text></xsl:if>
				<xsl:value-of select="$s/columnLine"/><xsl:text> </xsl:text><xsl:value-of select="line"/>
				<xsl:text>, </xsl:text><xsl:value-of select="ringingFrom/timeWithSeconds"/>
				<!-- empty for the line that took the call by pickup: it did not ring -->
				<xsl:if test="string(duration/text)">
					<xsl:text>, </xsl:text><xsl:value-of select="duration/text"/>
				</xsl:if>
				<xsl:text>, </xsl:text><xsl:call-template name="legResult"/>
				<xsl:text>&#10;</xsl:text>
			</xsl:for-each>
		</xsl:if>
		<xsl:text>&#10;-- &#10;</xsl:text>
		<xsl:if test="$n/vcardAttached = 'true'">
			<xsl:value-of select="$s/vcardAttached"/><xsl:text>&#10;</xsl:text>
		</xsl:if>
		<xsl:value-of select="$s/footer"/><xsl:text>&#10;</xsl:text>
	</xsl:template>
</xsl:stylesheet>
