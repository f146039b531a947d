package demo

// State is where a demo vendor's current assessment stands.
type State string

const (
	StateNone          State = "none"          // never assessed
	StateSent          State = "sent"          // invited, not opened
	StateOverdueSent   State = "overdue_sent"  // invited, past its due date, not opened
	StateInProgress    State = "in_progress"   // partly answered
	StateOverdue       State = "overdue"       // partly answered, past its due date
	StateSubmitted     State = "submitted"     // waiting for a reviewer
	StateClarification State = "clarification" // a reviewer asked about one answer
	StateCompleted     State = "completed"     // reviewed and decided, recently
	StateDue           State = "due"           // completed long ago: reassessment due within 30 days
	StateLate          State = "late"          // completed long ago: reassessment past due
)

// plan is one demo vendor: who it is and the history it gets.
type plan struct {
	Name     string
	Website  string
	Services string
	Tier     int
	Tags     []string
	Contact  string // the contact's name; the email is made from it and the website
	History  int    // completed assessments before the current one
	State    State
	Archived bool
}

// The demo portfolio: fictional companies, about the mix a mid-sized
// company has, every tier and every state represented.
var portfolio = []plan{
	// Tier 1: critical. The full ISO/IEC 27001:2022 questionnaire.
	{"Northwind Payroll", "northwind-payroll.example", "Payroll processing and payslips for all EU staff; holds bank details and salaries.", 1, []string{"hr", "personal data"}, "Ines Ortega", 3, StateCompleted, false},
	{"Bluefin Cloud Hosting", "bluefin.example", "Infrastructure as a service hosting the customer portal and its databases.", 1, []string{"infrastructure", "cloud"}, "Marcus Webb", 2, StateDue, false},
	{"Contoso Identity", "contoso-identity.example", "Single sign-on and multi-factor authentication for every staff account.", 1, []string{"identity", "cloud"}, "Hana Sato", 2, StateSubmitted, false},
	{"Halcyon Payments", "halcyon-pay.example", "Card payment gateway for the online shop (PCI DSS scope).", 1, []string{"payments", "pci"}, "Dario Russo", 1, StateClarification, false},
	{"Meridian Data Centers", "meridian-dc.example", "Colocation for the on-premises disaster recovery site.", 1, []string{"infrastructure", "physical"}, "Grace Okafor", 2, StateLate, false},
	{"Quillon HR Suite", "quillon.example", "HR information system: contracts, reviews, absences.", 1, []string{"hr", "personal data", "cloud"}, "Tomas Lindqvist", 0, StateInProgress, false},
	{"Tessera Backup", "tessera-backup.example", "Off-site encrypted backups of file servers and databases.", 1, []string{"infrastructure", "backup"}, "Amara Nwosu", 1, StateCompleted, false},
	// Tier 2: high. The supplier-relationships questionnaire (A.5.19–A.5.23).
	{"Brightline CRM", "brightline-crm.example", "Customer relationship management for sales and support.", 2, []string{"cloud", "customer data"}, "Elena Petrova", 2, StateCompleted, false},
	{"Larkspur Analytics", "larkspur.example", "Product analytics on pseudonymised usage events.", 2, []string{"analytics", "cloud"}, "Owen Gallagher", 1, StateOverdue, false},
	{"Cobalt Mail Relay", "cobalt-mail.example", "Transactional email delivery for receipts and password resets.", 2, []string{"email", "cloud"}, "Priya Raman", 2, StateCompleted, false},
	{"Orchard Support Desk", "orchard-desk.example", "Help desk ticketing with customer attachments.", 2, []string{"customer data", "cloud"}, "Lukas Meyer", 0, StateSubmitted, false},
	{"Pinecrest Legal Docs", "pinecrest-legal.example", "Contract drafting and e-signature.", 2, []string{"legal", "cloud"}, "Sofia Marin", 1, StateDue, false},
	{"Atlas Field Services", "atlas-field.example", "Scheduling and dispatch for on-site engineers.", 2, []string{"operations"}, "Kwame Mensah", 0, StateSent, false},
	{"Vantage Expense", "vantage-expense.example", "Expense claims with receipt scanning and card feeds.", 2, []string{"finance", "cloud"}, "Chloe Dubois", 1, StateCompleted, false},
	{"Juniper Code Review", "juniper-code.example", "Hosted source code review and CI for two product teams.", 2, []string{"engineering", "cloud"}, "Ravi Iyer", 0, StateNone, false},
	// Tier 3: moderate. Vendor security essentials.
	{"Harbor Print & Mail", "harbor-print.example", "Printing and posting customer letters.", 3, []string{"customer data"}, "Nora Quinn", 1, StateCompleted, false},
	{"Sable Translation", "sable-translate.example", "Translation of marketing and legal documents.", 3, []string{"documents"}, "Mateo García", 1, StateInProgress, false},
	{"Kestrel Courier", "kestrel-courier.example", "Same-day courier for hardware and signed contracts.", 3, []string{"logistics"}, "Ada Brennan", 1, StateCompleted, false},
	{"Ridgeway Facilities", "ridgeway-fm.example", "Building maintenance with badge access to the offices.", 3, []string{"physical"}, "Samuel Kim", 2, StateDue, false},
	{"Willow Learning", "willow-learning.example", "Online security awareness and compliance training.", 3, []string{"training", "cloud"}, "Leah Fischer", 1, StateSubmitted, false},
	{"Tidewater Shredding", "tidewater-shred.example", "Secure on-site shredding of paper records.", 3, []string{"physical", "disposal"}, "Isaac Moreau", 2, StateCompleted, false},
	{"Maple Event Tickets", "maple-events.example", "Ticketing for the annual customer conference.", 3, []string{"events"}, "Freya Larsen", 0, StateOverdueSent, false},
	{"Fennel Catering Systems", "fennel-catering.example", "Canteen ordering app used by staff.", 3, []string{"facilities"}, "Yusuf Demir", 1, StateCompleted, true},
	// Tier 4: low. Vendor security essentials.
	{"Aurora Coffee Co.", "aurora-coffee.example", "Office coffee machines and supplies.", 4, []string{"facilities"}, "Mia Costa", 1, StateCompleted, false},
	{"Clearwater Plants", "clearwater-plants.example", "Office plant care, visiting fortnightly.", 4, []string{"facilities"}, "Jonas Berg", 0, StateSent, false},
	{"Driftwood Furniture", "driftwood.example", "Office furniture supply and fitting.", 4, []string{"facilities"}, "Alice Turner", 1, StateCompleted, false},
	{"Nimbus Stock Photos", "nimbus-photos.example", "Stock image licences for marketing.", 4, []string{"marketing"}, "Diego Alvarez", 0, StateInProgress, false},
	{"Osprey Parking", "osprey-parking.example", "Car park permits for staff and visitors.", 4, []string{"facilities"}, "Hannah Wright", 1, StateSubmitted, false},
	{"Saffron Team Lunches", "saffron-lunch.example", "Catering for team events.", 4, []string{"facilities"}, "Karim Haddad", 0, StateNone, false},
	{"Granite Office Supplies", "granite-supplies.example", "Stationery and printer consumables.", 4, []string{"facilities"}, "Zoe Campbell", 0, StateNone, false},
}

// templateFor is the questionnaire a vendor of tier is sent.
func templateFor(tier int) string {
	switch tier {
	case 1:
		return "iso27001-2022-supplier-full"
	case 2:
		return "iso27001-supplier-relationships"
	}
	return "vendor-lite"
}

// staff are the demo's staff accounts: owners of vendors, reviewers of
// assessments. Their passwords are random and never shown: the bootstrap
// admin signs in, and may reset theirs.
var staff = []struct {
	Email, Name, Role string
}{
	{"priya.patel@demo.assay.invalid", "Priya Patel", "procurement"},
	{"george.hall@demo.assay.invalid", "George Hall", "procurement"},
	{"rita.alvarez@demo.assay.invalid", "Rita Alvarez", "reviewer"},
	{"sam.okoro@demo.assay.invalid", "Sam Okoro", "reviewer"},
}
