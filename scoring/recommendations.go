package scoring

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Recommendation returns the plain-English recommendation for a 2022 control
// id, as used in findings; "" for an id the catalogue does not have.
func Recommendation(controlID string) string {
	idx := catalog()
	if i, ok := idx.byID[controlID]; ok {
		return idx.controls[i].recommendation
	}
	return ""
}

// recommendationFor returns the specific text for a control, or one built
// from its title so that a control added to the catalogue still gets a
// sensible recommendation before someone writes one.
func recommendationFor(id, title string) string {
	if r, ok := recommendations[id]; ok {
		return r
	}
	return "Put " + lowerFirst(title) + " in place for the services in scope, document it, assign an owner and keep evidence that it operates."
}

// lowerFirst lowercases the first letter of a title unless its first word
// is an acronym ("ICT readiness …").
func lowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if n := strings.IndexFunc(word, unicode.IsLower); n < 0 && utf8.RuneCountInString(word) > 1 {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

// recommendations are written for the supplier: what to do, concretely, for
// the services it provides to us. The supplier and key controls carry the
// detail a reviewer will ask for in a remediation plan.
var recommendations = map[string]string{
	"A.5.1":  "Approve an information security policy and topic-specific policies at management level, publish them to staff and relevant parties, and review them at planned intervals and after significant changes.",
	"A.5.2":  "Define and assign information security roles and responsibilities, including a named owner for the security of the services provided to us.",
	"A.5.3":  "Separate conflicting duties, such as requesting, approving and carrying out access grants or changes, so that no one person can misuse systems or data unnoticed.",
	"A.5.4":  "Have management require all staff and contractors to apply the security policies, and check that they do, for example through acknowledgements and objectives.",
	"A.5.5":  "Keep current contacts and procedures for reaching the relevant authorities (regulators, law enforcement, the data protection authority) during incidents and for legal reporting duties.",
	"A.5.6":  "Take part in security forums or professional groups relevant to your sector and technology to receive early warnings and share good practice.",
	"A.5.7":  "Collect and analyse threat intelligence relevant to your services and use it in risk assessment, detection rules and patching priorities.",
	"A.5.8":  "Build security requirements, risk assessment and security sign-off into your project method for every project that affects the services in scope.",
	"A.5.9":  "Keep an inventory of information and associated assets (systems, data stores, devices, cloud services) with an owner for each, and keep it current.",
	"A.5.10": "Document and communicate rules for the acceptable use and handling of information and assets, and have users acknowledge them.",
	"A.5.11": "Recover all company assets, including devices and access tokens, from staff and contractors when they leave, and record the return.",
	"A.5.12": "Classify information by its confidentiality, integrity and availability needs and set handling rules for each class, covering our data.",
	"A.5.13": "Label information and media according to the classification scheme, automatically where possible.",
	"A.5.14": "Set rules and technical protections (encryption, approved channels, transfer agreements) for sending information inside and outside the organisation.",
	"A.5.15": "Adopt a documented access control policy based on least privilege and need-to-know, approve every access grant, and review access to systems holding our data at regular intervals.",
	"A.5.16": "Manage the whole life of identities: a unique identity for each person and service, timely creation and removal, and no shared accounts without approval and accountability.",
	"A.5.17": "Control passwords, keys and other secrets: deliver them securely, enforce strength rules, keep secrets in a vault, and change them promptly when compromise is suspected.",
	"A.5.18": "Grant, change and remove access rights through an approved process, remove them promptly on leaving or change of role, and review them regularly.",
	"A.5.19": "Set up a supplier security policy and process: identify which of your suppliers store, process or can access our data, assess their security before you engage them in proportion to the risk, and keep a register of them with their risk rating.",
	"A.5.20": "Put security terms into every agreement with suppliers that handle our data: confidentiality, access restrictions, incident notification within a set time, the right to audit or receive assurance reports, approval of subprocessors, and return or deletion of data at exit.",
	"A.5.21": "Manage the security of the ICT products and services you depend on: require suppliers to pass security requirements down their own supply chain, know where your software components come from (for example through a software bill of materials), and track vulnerabilities in them.",
	"A.5.22": "Review your suppliers' security regularly (assurance reports, certificates, incidents, service levels), and reassess the risk whenever they change their service or subprocessors.",
	"A.5.23": "Define how cloud services are chosen, configured, monitored and left: document the shared responsibility with each provider, harden and monitor the configuration, and keep an exit plan for our data held in the cloud.",
	"A.5.24": "Keep a documented incident response plan with roles, severity criteria, escalation and customer notification steps (notifying us within the agreed time), and exercise it at least once a year.",
	"A.5.25": "Set criteria for triaging security events and deciding which are incidents, and record each decision.",
	"A.5.26": "Respond to incidents following documented procedures for containment, eradication, recovery, communication and preserving evidence.",
	"A.5.27": "Review significant incidents after closure, find their root causes, and track the resulting improvements to completion.",
	"A.5.28": "Have procedures to identify, collect and preserve evidence of security incidents so that it would hold up in legal or disciplinary proceedings.",
	"A.5.29": "Plan how security is maintained during a disruption or crisis, so that controls are not bypassed while services are being restored.",
	"A.5.30": "Set recovery time and recovery point objectives for the services provided to us, keep ICT continuity plans that meet them, and test the plans regularly.",
	"A.5.31": "Identify and document the legal, regulatory and contractual requirements that apply to the services, including rules on data transfers, and show how each is met.",
	"A.5.32": "Protect intellectual property: use only properly licensed software and content, and check licence compliance.",
	"A.5.33": "Protect records from loss, destruction, falsification and unauthorised access, and keep them for the periods that law and contract require.",
	"A.5.34": "Identify the personal data processed for us and meet data protection law: a processing agreement, support for data subject rights, breach notification, and a person accountable for privacy.",
	"A.5.35": "Have your information security reviewed independently at planned intervals, for example by an accredited ISO/IEC 27001 certification or a SOC 2 Type II audit, and act on the findings.",
	"A.5.36": "Check regularly, through internal audits and technical compliance checks, that security policies and standards are followed, and correct what is not.",
	"A.5.37": "Document the operating procedures for the systems that deliver the services and make them available to the staff who need them.",
	"A.6.1":  "Check the background of staff and contractors before they join, in proportion to the data they will access and as the law allows.",
	"A.6.2":  "State the information security responsibilities of staff and contractors in their contracts or terms of engagement.",
	"A.6.3":  "Train all staff in security awareness when they join and at least once a year, give engineers and administrators role-specific training, and track completion.",
	"A.6.4":  "Have a formal, communicated disciplinary process for breaches of security policy.",
	"A.6.5":  "Define which security and confidentiality duties continue after someone leaves or changes role, tell them, and enforce those duties.",
	"A.6.6":  "Have staff, contractors and third parties with access to confidential information sign confidentiality agreements, and review their terms periodically.",
	"A.6.7":  "Set security rules for remote working (managed devices, secure connections, privacy from onlookers) and enforce them technically where possible.",
	"A.6.8":  "Give staff a simple, well-known way to report suspected security events quickly, and encourage its use.",
	"A.7.1":  "Define security perimeters around areas that hold information and processing facilities, and protect them with suitable walls, doors and entry controls.",
	"A.7.2":  "Control entry to secure areas with badges or equivalent, log entries, escort visitors, and review who has access regularly.",
	"A.7.3":  "Design and apply physical security for offices, rooms and facilities, keeping sensitive work out of public view.",
	"A.7.4":  "Monitor premises continuously for unauthorised physical access, for example with alarms and CCTV.",
	"A.7.5":  "Protect facilities against fire, flood, power surges and other physical and environmental threats, based on a risk assessment of each site.",
	"A.7.6":  "Set and enforce rules for working in secure areas, such as no unsupervised visitors and no recording devices.",
	"A.7.7":  "Enforce clear desk and clear screen rules, with automatic screen lock on all devices.",
	"A.7.8":  "Site and protect equipment to reduce the risk from environmental threats and unauthorised access.",
	"A.7.9":  "Protect devices and information taken off-site with encryption, tracking and handling rules.",
	"A.7.10": "Manage storage media throughout their life: restrict removable media, encrypt, track, and securely wipe or destroy them.",
	"A.7.11": "Protect processing facilities against power and other utility failures with redundancy, and test it regularly.",
	"A.7.12": "Protect power and data cabling against interception, interference and damage.",
	"A.7.13": "Maintain equipment as the manufacturer specifies, keep maintenance records, and supervise third-party maintenance.",
	"A.7.14": "Securely wipe or destroy storage before equipment is disposed of or re-used, and keep certificates of destruction.",
	"A.8.1":  "Manage all user devices centrally: full-disk encryption, automatic updates, endpoint protection, screen lock, and remote wipe of lost devices.",
	"A.8.2":  "Limit privileged access to named people who need it, for limited periods where possible; require multi-factor authentication for it, log its use and review it regularly.",
	"A.8.3":  "Restrict access to our data in applications and storage to those who need it, support staff included, following the access control policy.",
	"A.8.4":  "Restrict and log read and write access to source code, development tools and software libraries.",
	"A.8.5":  "Require multi-factor authentication for all remote, administrative and customer-data access, preferring phishing-resistant methods, and protect log-in against brute-force attacks.",
	"A.8.6":  "Monitor system capacity and plan ahead so that the services provided to us meet their availability commitments.",
	"A.8.7":  "Protect all systems against malware with current anti-malware or endpoint detection and response, and teach users to recognise malicious content.",
	"A.8.8":  "Run a vulnerability management process: scan systems and dependencies regularly, have an independent penetration test at least once a year, fix vulnerabilities within set times by severity (for example critical ones within 14 days), and track any exceptions.",
	"A.8.9":  "Define secure baseline configurations for hardware, software, services and networks, apply them automatically, and detect drift from them.",
	"A.8.10": "Delete information when it is no longer needed, including our data at the end of the contract, and be able to confirm the deletion.",
	"A.8.11": "Mask, pseudonymise or anonymise personal and sensitive data wherever full values are not needed, especially outside production.",
	"A.8.12": "Apply data leakage prevention to systems, networks and devices that handle sensitive data, and monitor for data leaving without authorisation.",
	"A.8.13": "Back up information, software and systems under a documented policy, keep encrypted copies that are immutable or offline and separate from production, and test restores regularly.",
	"A.8.14": "Build enough redundancy into processing facilities, for example several availability zones, to meet availability commitments, and test failover.",
	"A.8.15": "Log security-relevant events (log-ins, privileged actions, changes, access to our data), protect the logs from tampering, and keep them for an agreed period.",
	"A.8.16": "Monitor networks, systems and applications for anomalous behaviour, and have alerts reviewed and acted on promptly, for example by a security operations centre.",
	"A.8.17": "Synchronise the clocks of all systems to approved time sources so that logs can be correlated.",
	"A.8.18": "Restrict and control utility programs that can override system and application controls.",
	"A.8.19": "Install software on operational systems only through approved change and deployment processes.",
	"A.8.20": "Secure and manage networks and network devices: hardened configuration, firewalls, secure administration and monitoring.",
	"A.8.21": "Define the security features, service levels and requirements of network services, including those bought from providers, and monitor them.",
	"A.8.22": "Segregate networks by trust level and function (production, corporate, development, and per customer where needed) and control the traffic between them.",
	"A.8.23": "Filter access to external websites to reduce exposure to malicious content.",
	"A.8.24": "Encrypt our data in transit (TLS 1.2 or later) and at rest with strong, current algorithms, and manage keys under a documented policy covering restricted access, rotation and, where agreed, customer-managed keys.",
	"A.8.25": "Define a secure development lifecycle covering requirements, design, coding, testing and release, and apply it to every product or integration we use.",
	"A.8.26": "Identify and approve security requirements when developing or buying applications, including authentication, authorisation, input validation and logging.",
	"A.8.27": "Establish, document and apply secure architecture and engineering principles such as defence in depth, least privilege and secure defaults.",
	"A.8.28": "Follow secure coding standards, run static analysis and dependency scanning in the build pipeline, and train developers in common vulnerabilities.",
	"A.8.29": "Test security during development and before release (automated tests, code review, penetration tests of significant changes) and fix issues before go-live.",
	"A.8.30": "Direct, monitor and review outsourced development against your own secure development requirements, with the contractual right to verify.",
	"A.8.31": "Separate development, test and production environments, and keep production data out of the others unless it is protected to the same level.",
	"A.8.32": "Manage changes to systems and services through a documented process with risk assessment, approval, testing and a way to roll back.",
	"A.8.33": "Choose, protect and manage test data with care; do not test with real customer data unless it is masked and the use approved.",
	"A.8.34": "Plan and agree audit tests on operational systems so that they disrupt service and expose data as little as possible.",
}
