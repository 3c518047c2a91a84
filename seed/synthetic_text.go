package seed

import "github.com/cynllun/cynllun"

// The word lists of the synthetic data. Every name is made up for test
// data; none is meant to be a real person.

var givenNames = []string{
	// Welsh, several with the diacritics the system must keep.
	"Siôn", "Gwenllïan", "Dafydd", "Ffion", "Rhys", "Llŷr", "Siân", "Rhiân", "Elin", "Cai", "Nia", "Osian",
	"Mari", "Gethin", "Seren", "Iestyn", "Lowri", "Aled", "Cerys", "Tomos", "Efa", "Ifan", "Alys", "Gruffudd",
	"Catrin", "Dylan", "Megan", "Owain", "Angharad", "Rhodri", "Eleri", "Tudur", "Awen", "Heledd", "Dewi",
	"Glesni", "Emrys", "Nansi", "Ioan", "Manon", "Môn", "Llio", "Bedwyr", "Tirion", "Glyndŵr", "Mabli",
	// English and others heard in Welsh classrooms.
	"Oliver", "Amelia", "Jack", "Isla", "Harry", "Ava", "Noah", "Mia", "Leo", "Lily", "Alfie", "Freya",
	"Charlie", "Grace", "George", "Evie", "Zoë", "Chloë", "Noël", "Renée", "Theo", "Poppy", "Muhammad",
	"Aisha", "Zain", "Amira", "Kacper", "Zofia", "Seán", "Aoife",
}

// preferred are the usual short forms of some given names.
var preferred = map[string]string{
	"Gwenllïan": "Gwen", "Gruffudd": "Gruff", "Angharad": "Hari", "Bedwyr": "Bedw", "Catrin": "Cat", "Muhammad": "Mo",
}

var familyNames = []string{
	"Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan", "Griffiths",
	"Price", "Owen", "Rees", "Jenkins", "Powell", "Pritchard", "Prosser", "Llywelyn", "ap Gwilym", "Vaughan",
	"Bowen", "Parry", "Howells", "Pugh", "Probert", "Gwyn", "Ŵyn", "Glyndŵr", "Tudur", "Huws", "Rhydderch",
	"ap Siôn", "Meredith", "Cadwaladr", "Bevan", "Harries", "Ellis", "Edwards", "Phillips", "James",
	"Smith", "Taylor", "Brown", "Wilson", "Khan", "Nowak", "Ahmed", "O'Brien", "Kowalski", "Ali",
}

var adultNames = []string{
	"Ceri", "Bethan", "Huw", "Sioned", "Gareth", "Nerys", "Alun", "Delyth", "Emyr", "Llinos", "Sara", "Rhian",
	"Mark", "Claire", "David", "Sarah", "Paul", "Emma", "Lee", "Kelly", "Hannah", "Gwyneth", "Dilys", "Tegwen",
}

// schoolPlaces name the synthetic schools (with LA names they read as
// Welsh schools; they are not real ones).
var schoolPlaces = []string{
	"Glan Afon", "Bryn Celyn", "Cwm Glas", "Pen y Bryn", "Maes y Coed", "Tŷ Gwyn", "Nant y Pandy", "Llwyn Onn",
	"Bro Dâr", "Y Ddôl", "Pant y Celyn", "Gwaun Ddu", "Min y Môr", "Cae'r Felin", "Heol Fawr", "Tregarth",
	"Parc y Llyn", "Coed Derw", "Bryn Hafod", "Y Garth", "Aberllyn", "Llanfair Fechan", "Penrhiw", "Cefn Coed",
}

// healthBoardOf maps a local authority (ONS code) to the key of its local
// health board.
var healthBoardOf = map[string]string{
	"W06000019": "aneurin-bevan", "W06000018": "aneurin-bevan", "W06000021": "aneurin-bevan", "W06000022": "aneurin-bevan", "W06000020": "aneurin-bevan",
	"W06000001": "betsi-cadwaladr", "W06000002": "betsi-cadwaladr", "W06000003": "betsi-cadwaladr", "W06000004": "betsi-cadwaladr", "W06000005": "betsi-cadwaladr", "W06000006": "betsi-cadwaladr",
	"W06000015": "cardiff-vale", "W06000014": "cardiff-vale",
	"W06000013": "cwm-taf-morgannwg", "W06000024": "cwm-taf-morgannwg", "W06000016": "cwm-taf-morgannwg",
	"W06000010": "hywel-dda", "W06000008": "hywel-dda", "W06000009": "hywel-dda",
	"W06000023": "powys",
	"W06000011": "swansea-bay", "W06000012": "swansea-bay",
}

var likeAndAdmire = []string{
	"%s is kind and funny, and always looks out for younger pupils at playtime.",
	"%s works hard and never gives up, even when something is difficult.",
	"%s has a great memory for facts about animals and loves to share them.",
	"%s is creative and makes brilliant models and drawings.",
	"%s is a loyal friend and is always polite to visitors.",
	"%s has a good sense of humour and makes everyone laugh.",
}

var importantQuotes = []string{
	"Dw i'n hoffi chwarae pêl-droed gyda fy ffrindiau.",
	"I like it when it is quiet and I know what is happening next.",
	"Dw i'n caru fy nghi, Mabon.",
	"I want to be a vet when I grow up.",
	"Mae nofio'n hwyl!",
	"I like Lego and Minecraft best.",
	"Dw i'n hoffi mynd i dŷ Nain ar benwythnos.",
	"Drawing makes me feel calm.",
}

var importantOther = []string{
	"Spending time with family at weekends.",
	"Knowing the plan for the day before it starts.",
	"Going to Urdd club on Thursdays.",
	"Having a quiet space to go to when things get too much.",
	"Music, especially singing in the school choir.",
}

var supportQuotes = []string{
	"Give me time to answer — don't rush me.",
	"Show me, don't just tell me.",
	"Rhowch amser i mi feddwl.",
	"Tell me before things change.",
}

var supportOther = []string{
	"Use pictures and short instructions, and check what has been understood.",
	"Sit near the front, away from the door and the window.",
	"Break tasks into small steps with a checklist.",
	"Praise effort, privately rather than in front of the class.",
	"Offer a movement break every 20 minutes.",
}

// need is one area of additional learning needs with the provision that
// commonly meets it. Texts take the learner's name (%[1]s) and, for
// outcomes, the month by which they are to be met (%[2]s).
type need struct {
	Description, Impact, Reasons string
	Rows                         []rowTemplate
}

type rowTemplate struct {
	Outcome, Provision, Rationale string
	// Provider: "school", "la" (a service of the local authority) or "nhs"
	// (the local health board; NHS-secured).
	Provider string
	Service  string // the service's name, after the LA or board name
	Quantity cynllun.Quantity
}

var needs = []need{{
	Description: "Speech, language and communication needs: %[1]s finds it hard to understand longer spoken instructions and to find the words to explain ideas.",
	Impact:      "%[1]s finds whole-class teaching hard to follow and is reluctant to speak in group work.",
	Reasons:     "Speech and language therapy assessment shows receptive language about two years below age expectations.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will follow two-step instructions in class without prompts in 8 out of 10 observed lessons.",
			Provision: "30 minutes of 1:1 speech and language therapy once a week", Provider: "nhs", Service: "speech and language therapy service",
			Rationale: "Assessment by the speech and language therapist shows receptive language two years below age expectations.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 30, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 1}},
		{Outcome: "By %[2]s, %[1]s will contribute at least once in every small-group discussion, in 4 out of 5 sessions observed.",
			Provision: "20 minutes of small-group language intervention three times a week with a trained teaching assistant", Provider: "school",
			Rationale: "Builds confidence using the vocabulary taught in therapy.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 20, Sessions: 3, Per: cynllun.PerWeek, GroupSize: 4}},
	},
}, {
	Description: "Specific learning difficulty (dyslexia): %[1]s decodes unfamiliar words slowly and spelling is well below that of classmates.",
	Impact:      "%[1]s needs much longer to read instructions and texts, and written work does not show what is understood.",
	Reasons:     "Assessment by the specialist teacher found a significant weakness in phonological processing.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will read 60 of the 100 high-frequency words accurately in 4 out of 5 weekly checks.",
			Provision: "30 minutes of structured literacy intervention four times a week in a group of three", Provider: "school",
			Rationale: "Structured, cumulative phonics teaching is what the specialist assessment recommends.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 30, Sessions: 4, Per: cynllun.PerWeek, GroupSize: 3}},
		{Outcome: "By %[2]s, %[1]s will use text-to-speech software independently in 3 lessons each week, as recorded by the class teacher.",
			Provision: "45 minutes of assistive technology teaching from the specialist teacher once a fortnight", Provider: "la", Service: "Specialist Teaching Service",
			Rationale: "Assistive technology lets the learner reach the same texts as classmates.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerFortnight, GroupSize: 1}},
	},
}, {
	Description: "Social communication needs (autistic): %[1]s finds unstructured times and unexpected changes very difficult.",
	Impact:      "Changes to routine lead to distress and time out of lessons; %[1]s finds group work and break times hard.",
	Reasons:     "Diagnosis from the neurodevelopmental service, with advice from the specialist teacher.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will take part in a structured playground game with peers for 10 minutes on 3 days each week.",
			Provision: "40 minutes of social communication group work once a week with the ALNCo", Provider: "school",
			Rationale: "Practises turn-taking and shared attention in a safe group.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 40, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 5}},
		{Outcome: "By %[2]s, %[1]s will use the calm box to regulate and return to the lesson within 10 minutes on 8 out of 10 occasions.",
			Provision: "10 minutes of planned sensory break twice a day with a teaching assistant", Provider: "school",
			Rationale: "Regulation before demands reduces time out of lessons.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 10, Sessions: 2, Per: cynllun.PerDay, GroupSize: 1}},
	},
}, {
	Description: "Social, emotional and mental health needs: %[1]s becomes anxious in busy situations and finds it hard to manage strong feelings.",
	Impact:      "Attendance has fallen to 84% and %[1]s often leaves lessons when anxious.",
	Reasons:     "Observation and the school's wellbeing assessment, with advice from the educational psychologist.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will name three calming strategies and use one without an adult prompt on 4 out of 5 occasions.",
			Provision: "30 minutes of 1:1 emotional literacy support (ELSA) once a week", Provider: "school",
			Rationale: "ELSA sessions teach the learner to recognise and manage feelings.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 30, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 1}},
		{Outcome: "By %[2]s, %[1]s's attendance will rise to 92% or more over a half term.",
			Provision: "50 minutes of counselling once a week for 12 weeks", Provider: "la", Service: "school-based counselling service",
			Rationale: "Counselling addresses the anxiety behind the fall in attendance.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 50, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 1}},
	},
}, {
	Description: "Physical and medical needs: %[1]s has cerebral palsy affecting balance and fine motor control.",
	Impact:      "%[1]s tires quickly when writing and needs help to move safely around the school.",
	Reasons:     "Physiotherapy and occupational therapy assessments.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will walk between classrooms with a walking frame and no adult support on 9 out of 10 days.",
			Provision: "20 minutes of physiotherapy exercise programme every day, delivered by a trained teaching assistant", Provider: "school",
			Rationale: "Daily practice, set by the physiotherapist, builds strength and balance.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 20, Sessions: 1, Per: cynllun.PerDay, GroupSize: 1}},
		{Outcome: "By %[2]s, %[1]s will write a paragraph of 5 sentences using a sloped board and adapted pencil in 3 out of 4 lessons.",
			Provision: "45 minutes of occupational therapy review once a term", Provider: "nhs", Service: "children's occupational therapy service",
			Rationale: "The therapist sets and adjusts the fine motor programme.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerTerm, GroupSize: 1}},
	},
}, {
	Description: "Hearing impairment: %[1]s has a moderate bilateral hearing loss and wears hearing aids.",
	Impact:      "%[1]s misses spoken information in noisy rooms and in whole-class discussion.",
	Reasons:     "Audiology reports and the Teacher of the Deaf's assessment.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will check and report on the radio aid independently every morning on 9 out of 10 days.",
			Provision: "60 minutes of teaching from a qualified Teacher of the Deaf once a week", Provider: "la", Service: "Sensory Support Service",
			Rationale: "Specialist teaching develops listening skills and independent use of equipment.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 60, Sessions: 1, Per: cynllun.PerWeek, GroupSize: 1}},
		{Outcome: "By %[2]s, %[1]s will answer 8 out of 10 questions correctly about pre-taught topic vocabulary.",
			Provision: "15 minutes of pre-teaching of topic vocabulary three times a week with a teaching assistant", Provider: "school",
			Rationale: "Pre-teaching helps the learner follow lessons heard in noise.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 15, Sessions: 3, Per: cynllun.PerWeek, GroupSize: 2}},
	},
}, {
	Description: "Visual impairment: %[1]s has low vision and needs enlarged print and good lighting.",
	Impact:      "%[1]s cannot read standard print or the board and tires when reading for long.",
	Reasons:     "Ophthalmology reports and the functional vision assessment of the qualified teacher of the visually impaired.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will use a magnifier app to read worksheets independently in 4 out of 5 lessons.",
			Provision: "60 minutes of teaching from a qualified teacher of the visually impaired once a fortnight", Provider: "la", Service: "Sensory Support Service",
			Rationale: "Specialist teaching in the use of low-vision aids.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 60, Sessions: 1, Per: cynllun.PerFortnight, GroupSize: 1}},
		{Outcome: "By %[2]s, %[1]s will move independently between the classroom, hall and dining room on 9 out of 10 days.",
			Provision: "45 minutes of mobility and orientation training once a month", Provider: "la", Service: "Sensory Support Service",
			Rationale: "Habilitation training for safe independent movement.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 45, Sessions: 1, Per: cynllun.PerMonth, GroupSize: 1}},
	},
}, {
	Description: "Moderate learning difficulties: %[1]s is working well below age-related expectations in literacy and numeracy.",
	Impact:      "%[1]s needs work set at a different level and much repetition to remember new learning.",
	Reasons:     "Assessment by the educational psychologist and the school's tracking over two years.",
	Rows: []rowTemplate{
		{Outcome: "By %[2]s, %[1]s will add and subtract numbers to 20 with 90% accuracy in weekly checks.",
			Provision: "30 minutes of numeracy intervention three times a week in a group of three", Provider: "school",
			Rationale: "Small steps with over-learning suit the learner's profile.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 30, Sessions: 3, Per: cynllun.PerWeek, GroupSize: 3}},
		{Outcome: "By %[2]s, %[1]s will read 40 new sight words fluently, 3 days running, in precision teaching probes.",
			Provision: "10 minutes of 1:1 precision teaching every day", Provider: "school",
			Rationale: "Short daily practice builds fluency and memory.",
			Quantity:  cynllun.Quantity{MinutesPerSession: 10, Sessions: 1, Per: cynllun.PerDay, GroupSize: 1}},
	},
}}

var versionComments = []string{
	"First draft after the person-centred meeting",
	"Draft updated with the therapist's advice",
	"Plan agreed and given",
}
