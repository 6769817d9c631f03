package textsim

import "strings"

// Stop words for themes, in normalised form (accents folded, apostrophes
// dropped: "i'r" is "ir", "ôl" is "ol"). English: function words and the
// verbs and fillers that carry no theme in consultation answers. Welsh:
// articles, prepositions (and their "i'r", "o'r" contractions), pronouns,
// forms of "bod" and common particles.
const (
	stopEnglish = `a about above after again against all also am an and any are arent as at be
because been before being below between both but by can cannot cant could couldnt did didnt do
does doesnt doing dont down during each else even ever every few for from further get gets
getting got had hadnt has hasnt have havent having he hed hell hes her here heres hers herself
him himself his how hows i id ill im ive if in into is isnt it its itself just lets like made
make many may me might more most much must mustnt my myself need no nor not now of off on once
one only or other ought our ours ourselves out over own per quite rather really same says shall
shant she shed shell shes should shouldnt so some such than that thats the their theirs them
themselves then there theres these they theyd theyll theyre theyve thing things think this
those though through to too under until up upon us use used very via want was wasnt way we wed
well were weve werent what whats when whens where wheres whether which while who whos whom why
whys will with within without wont would wouldnt yes yet you youd youll youre youve your yours
yourself yourselves also etc ok okay`

	stopWelsh = `a ac ag am ar at au beth bod bo bydd byddai byddwn byddan ble bu cael cyn chi
ddim dros drwy dy dyma dyna e ef ei eich ein er eu fe fel felly fi fo fod fy fydd fyddai gall
gallu gan gael gyda gyd hefyd heb hi hwn hwnnw hwy hyd hyn hynny hon honno i iawn ir iw maen
maer mae mai mewn mi mor mwy na nad nag naill neu ni nid nhw o oedd oeddwn ol on ond or os pa
pam pan pe pob pwy rhaid rhwng rydw rydym rydyn roedd sef sut sy sydd ti tan trwy un wedi wrth
y ydw ydy ydych ydym ydyn ydynt yma yn yna yng ym yr yw ywr`
)

// stopSet returns the stop words of both languages as a set.
func stopSet() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(stopEnglish + " " + stopWelsh) {
		m[w] = true
	}
	return m
}
