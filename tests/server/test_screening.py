"""Table-driven tests for the chat screening rules (server/screening.py).

Each row: (message, mentee_under_18, expected verdict, expected reason kind or None).
A reason kind is a prefix of one of the reasons: "contact:phone", "risk:secrecy", …
Rows are written the way a UK teenager or a volunteer mentor would type them.
"""

from __future__ import annotations

import re

import pytest

from server.screening import (
    DEFAULT_RISK_TERMS,
    MAX_GAP_WORDS,
    RiskTerm,
    Screener,
    ScreeningResult,
    Severity,
    Verdict,
    describe_reason,
    phrase_words,
    screen_message,
    tells_of_harm_to_writer,
)

U18 = True
ADULT = False
D, F, H = Verdict.DELIVER, Verdict.FLAG, Verdict.HOLD

PHONE = "contact:phone"
EMAIL = "contact:email"
URL = "contact:url"
SOCIAL = "contact:social"
ADDRESS = "contact:address"

Row = tuple[str, bool, Verdict, str | None]

# --------------------------------------------------------------------------- phone numbers
PHONE_ROWS: list[Row] = [
    ("my number is 07700 900123 text me whenever", U18, H, PHONE),
    ("ok so first bit is 07700 and the rest is 900 6 1 9", U18, H, PHONE),
    ("my number is 07700 900123 text me whenever", ADULT, F, PHONE),
    ("07700900123", U18, H, PHONE),
    ("ring me on 07700-900-123 if the link doesnt work", ADULT, F, PHONE),
    ("its 07700 900 123 btw", U18, H, PHONE),
    ("+44 7700 900123", ADULT, F, PHONE),
    ("call me +44 (0)7700 900123 x", U18, H, PHONE),
    ("0044 7700 900 123 thats my mums one", U18, H, PHONE),
    ("my landline is 0161 496 0000", ADULT, F, PHONE),
    ("(0161) 496 0000 is the house phone", U18, H, PHONE),
    ("020 7946 0958 is the office if u cant get through", ADULT, F, PHONE),
    ("oh seven seven double oh nine oh oh one two three", U18, H, PHONE),
    ("zero seven seven zero zero, nine zero zero, one two three", U18, H, PHONE),
    ("O77OO 9OO 123", U18, H, PHONE),
    ("0 seven 7 double 0 9 double 0 one 2 3", U18, H, PHONE),
    ("07700 900 123 ring after 6", ADULT, F, PHONE),
    ("+1 (555) 123-4567 is my cousins number in the US", ADULT, F, PHONE),
    ("whatsapp me on +353 87 123 4567", U18, H, PHONE),
    ("07700.900.123", U18, H, PHONE),
    ("0 7 7 0 0 9 0 0 1 2 3", U18, H, PHONE),
    ("my new number 07700900124 save it", ADULT, F, PHONE),
    ("text 07700 900 123 when ur outside", U18, H, PHONE),
    ("０７７００ ９００１２３", U18, H, PHONE),
    ("07700\u200b900\u200b123", U18, H, PHONE),
    ("447700900123", ADULT, F, PHONE),
    ("7700 900123 (no zero at the start)", U18, H, PHONE),
    ("0161 496 0000 thats my mums work", ADULT, F, PHONE),
    ("ring me on 07700 900123 asap!!", U18, H, PHONE),
    ("seven seven oh oh nine oh oh one two three", U18, H, PHONE),
    ("07700 900 l23", ADULT, F, PHONE),
    ("mine is 07700900123 07700900456 is my mums", U18, H, PHONE),
    ("+44-7700-900-123", U18, H, PHONE),
    ("my mobile: 07700 900 123", ADULT, F, PHONE),
    ("07700 nine hundred 579 is my number", U18, H, PHONE),
    ("o77oo nine hundred, four five six", ADULT, F, PHONE),
    ("07700 ninehundred fourfivefour", U18, H, PHONE),
    ("its 07700 then nine oh oh then four two seven", U18, H, PHONE),
    ("new sim!! 07700 900 and then 1 9 2", ADULT, F, PHONE),
    ("".join(c + "\ufe0f\u20e3" if c.isdigit() else c for c in "07700 900 234"), U18, H, PHONE),
    ("heres my work mobile but its basically my personal one 07700900944", U18, H, PHONE),
]

# --------------------------------------------------------------------------- e-mail addresses
EMAIL_ROWS: list[Row] = [
    ("my email is jo.bloggs2008@gmail.com", U18, H, EMAIL),
    ("my email is jo.bloggs2008@gmail.com", ADULT, F, EMAIL),
    ("jo.bloggs at gmail dot com", U18, H, EMAIL),
    ("jo.bloggs(at)gmail(dot)com", U18, H, EMAIL),
    ("jo.bloggs @ gmail . com", ADULT, F, EMAIL),
    ("jo_b [at] hotmail [dot] co [dot] uk", U18, H, EMAIL),
    ("its JoBloggs@Outlook.com", ADULT, F, EMAIL),
    ("send it to sarah.mentor@icloud.com and ill look", U18, H, EMAIL),
    ("jobloggs at hotmail.co.uk", U18, H, EMAIL),
    ("jo dot bloggs at gmail dot com", U18, H, EMAIL),
    ("m.smith@stmarys.sch.uk is my teachers email", ADULT, F, EMAIL),
    ("jo_b@yahoo.co.uk", U18, H, EMAIL),
    ("jobloggs＠gmail．com", U18, H, EMAIL),
    ("email me - jo.b08 at gmail", U18, H, EMAIL),
    ("jo.bloggs{at}protonmail{dot}com", ADULT, F, EMAIL),
    ("jobloggs gmail com", U18, H, EMAIL),
    ("you can reach me on jo.bloggs@gmail.co.uk", ADULT, F, EMAIL),
    ("sam.k at gma1l d0t c0m", U18, H, EMAIL),
    ("jo_b@h0tma1l.c0m", ADULT, F, EMAIL),
    ("aisha 'at' example 'dot' net", U18, H, EMAIL),
    (
        "email \u27a1\ufe0f maya \U0001f338 at \U0001f338 example \U0001f338 dot \U0001f338 com",
        U18,
        H,
        EMAIL,
    ),
    ("write to me at \ua731\u1d00\u0280\u1d00\u029c@example.com", ADULT, F, EMAIL),
    ("its the same as my name on here but at outlook", U18, H, EMAIL),
    ("kez @ me.com", U18, H, EMAIL),  # a spaced @ with a domain is an address ("lol @ me" not)
]

# --------------------------------------------------------------------------- URLs, domains
URL_ROWS: list[Row] = [
    ("have a look at www.jobloggsphotography.co.uk", U18, H, URL),
    ("have a look at www.jobloggsphotography.co.uk", ADULT, F, URL),
    ("https://discord.gg/abc123", U18, H, URL),
    ("bit.ly/3xYzAbc", ADULT, F, URL),
    ("check out jobloggs.co.uk its my art", U18, H, URL),
    ("go on essayhelp.com for free essays", U18, H, URL),
    ("my portfolio is jo-bloggs.github.io", ADULT, F, URL),
    ("linktr.ee/jobloggs", U18, H, URL),
    ("t.me/jobloggs", U18, H, URL),
    ("wa.me/447700900123", U18, H, URL),
    ("youtube.com/watch?v=dQw4w9WgXcQ lol", ADULT, F, URL),
    ("www.x", U18, H, URL),
    ("jobloggs dot com", U18, H, URL),
    ("HTTP://EXAMPLE.ORG/page", ADULT, F, URL),
    ("the form is at forms.gle/abc123", ADULT, F, URL),
    ("revisionhub.com has it all", U18, H, URL),
    ("twitch tv slash jaydenlive, on every night from 8", U18, H, URL),
    ("go to example . com", U18, H, URL),
    ("www dot jobloggs dot co dot uk", ADULT, F, URL),
    ("paste this in: bit ly / 2Kf9Xr", U18, H, URL),  # a shortener written with spaces
]

# --------------------------------------------------------------------------- handles, invitations
SOCIAL_ROWS: list[Row] = [
    ("sc ➡️ megan.r22", U18, H, SOCIAL),
    ("insta -> jo.b22", ADULT, F, SOCIAL),
    (
        "you can add my personal facebook, Dan Whitaker Bradford, we can message there",
        U18,
        H,
        SOCIAL,
    ),
    ("add my xbox its xXSilentGhostXx", U18, H, SOCIAL),
    ("signal me, username kieran.71", ADULT, F, SOCIAL),
    ("im on twitch as GhostRider_UK come watch my streams and chat", U18, H, SOCIAL),
    ("add me on snap", U18, H, SOCIAL),
    ("add me on snap", ADULT, F, SOCIAL),
    ("add me on sc its jo_b2009", U18, H, SOCIAL),
    ("my insta is jo.bloggs_", U18, H, SOCIAL),
    ("whatsapp me x", U18, H, SOCIAL),
    ("find me on telegram", ADULT, F, SOCIAL),
    ("find me on discord im jobloggs", U18, H, SOCIAL),
    ("dm me", U18, H, SOCIAL),
    ("dm me on insta", ADULT, F, SOCIAL),
    ("text me on 07700", U18, H, SOCIAL),
    ("what's your number?", U18, H, SOCIAL),
    ("whats ur number", ADULT, F, SOCIAL),
    ("wats ur snap", U18, H, SOCIAL),
    ("can i have ur number so i can text u about saturday", U18, H, SOCIAL),
    ("@jo_bloggs", U18, H, SOCIAL),
    ("follow me @jobloggs08", ADULT, F, SOCIAL),
    ("u got snap?", U18, H, SOCIAL),
    ("r u on insta", U18, H, SOCIAL),
    ("do you have whatsapp?", ADULT, F, SOCIAL),
    ("lets just talk on snap its easier", U18, H, SOCIAL),
    ("my snap is jobloggs", U18, H, SOCIAL),
    ("sc: jobloggs", U18, H, SOCIAL),
    ("ig - @jo.bloggs", ADULT, F, SOCIAL),
    ("hmu on insta", U18, H, SOCIAL),
    ("add me back on tiktok", U18, H, SOCIAL),
    ("follow my tiktok pls", ADULT, F, SOCIAL),
    ("im on snap if u wanna chat", U18, H, SOCIAL),
    ("msg me on whatsapp", U18, H, SOCIAL),
    ("facetime me later", U18, H, SOCIAL),
    ("whats ur @", ADULT, F, SOCIAL),
    ("drop ur insta", U18, H, SOCIAL),
    ("send me ur number", U18, H, SOCIAL),
    ("give me your email and ill send it over", ADULT, F, SOCIAL),
    ("email me when you've done it", U18, H, SOCIAL),
    ("text me when ur home", U18, H, SOCIAL),
    ("I'll text you tomorrow about it", U18, H, SOCIAL),
    ("my dms are open", ADULT, F, SOCIAL),
    ("follow me on twitter/x", U18, H, SOCIAL),
    ("find me on x", U18, H, SOCIAL),
    ("add me on xbox its jobloggs2009", U18, H, SOCIAL),
    ("whats ur psn", ADULT, F, SOCIAL),
    ("my discord is jo#4821", U18, H, SOCIAL),
    ("add me on facebook, jo bloggs from leeds", U18, H, SOCIAL),
    ("we can chat on whatsapp instead", ADULT, F, SOCIAL),
    ("can we move this to snap", U18, H, SOCIAL),
    ("find me on signal", U18, H, SOCIAL),
    ("add me on kik", ADULT, F, SOCIAL),
    ("talk to me outside of here", U18, H, SOCIAL),
    ("Add me on Snapchat 👻", U18, H, SOCIAL),
    ("my snap's jo_b", U18, H, SOCIAL),
    ("have you got insta?", ADULT, F, SOCIAL),
    ("ur number?", U18, H, SOCIAL),
    ("heres my number", U18, H, SOCIAL),
    ("I'll give you my personal number", ADULT, F, SOCIAL),
    ("whats app me", U18, H, SOCIAL),
    ("message me on tik tok", U18, H, SOCIAL),
    ("snap - jobloggs", U18, H, SOCIAL),
    ("my insta's jo.b", U18, H, SOCIAL),
    ("send ur number", ADULT, F, SOCIAL),
    ("you on whatsapp?", U18, H, SOCIAL),
    ("you got a number i can text?", U18, H, SOCIAL),
    ("hit me up on insta", ADULT, F, SOCIAL),
    ("can we meet on zoom instead", U18, H, SOCIAL),
    ("look me up on tiktok, same name as here", U18, H, SOCIAL),
    ("just search my full name on facebook", U18, H, SOCIAL),
    ("google me and you'll see", ADULT, F, SOCIAL),
    ("can u accept me on facebook, i sent u a request", U18, H, SOCIAL),
    ("im on there as lewis_r07", U18, H, SOCIAL),
    ("on psn im called Lil_Dwayne, drop me a msg on there", ADULT, F, SOCIAL),
    ("sending u my snapcode, just scan it", U18, H, SOCIAL),
    ("why not add me on snap", U18, H, SOCIAL),
    ("you cant add me on here, add me on snap", U18, H, SOCIAL),
    ("signal me, username is harper.22", U18, H, SOCIAL),
    ("ill send u a friend request on insta later", U18, H, SOCIAL),
    ("my tiktoks the same as my snap btw", ADULT, F, SOCIAL),
    ("follow my private account its jaz.xo", U18, H, SOCIAL),
    ("ad me on snap", U18, H, SOCIAL),
]

ADDRESS_ROWS: list[Row] = [
    ("my address is 22 acacia avenue", U18, H, ADDRESS),
    ("my postcode is LS6 2AB", U18, H, ADDRESS),
    ("i live at 42 elm road", U18, H, ADDRESS),
    ("come to 14 Park Lane, M1 1AE", ADULT, F, ADDRESS),
    ("im the house with the red door on Station Road, come round whenever", U18, H, ADDRESS),
    ("i live above the barbers on Market Street, the door round the back", U18, H, ADDRESS),
    ("our house is on the corner of Ash Rd and Poplar Rd, the yellow one", ADULT, F, ADDRESS),
    ("first house on Mill Lane after the bridge, cant miss it", U18, H, ADDRESS),
    ("twenty one willow lane, norwich, thats mine", U18, H, ADDRESS),
    ("w3w: ///apples.river.orange is exactly my front door", U18, H, ADDRESS),
    ("lat long of my house is 53.8008, -1.5491 lol", U18, H, ADDRESS),
    ("house number is sixteen, road is cedar way, town is bedford", U18, H, ADDRESS),
    ("flat 7c above the launderette on queens road", U18, H, ADDRESS),
    ("we're at 31 brookside, flat 4, buzz twice", U18, H, ADDRESS),
    ("number 12 on the meadow estate, next to the garages", ADULT, F, ADDRESS),
    ("get off at the co-op, second left onto Hazel Road, im number 21", U18, H, ADDRESS),
    ("walk up Hollin Lane, its number 9 with the white van outside", ADULT, F, ADDRESS),
    (
        "my flat's above the chippy on Station Street, 3b, buzzer's broken so just knock",
        U18,
        H,
        ADDRESS,
    ),
]

# --------------------------------------------------------------------------- risk terms
RISK_ROWS: list[Row] = [
    ("don't tell anyone but i failed my mock", U18, F, "risk:secrecy"),
    ("don't tell anyone but i failed my mock", ADULT, F, "risk:secrecy"),
    ("dont tell ur mum about this ok", U18, H, "risk:secrecy"),
    ("this is our little secret", ADULT, H, "risk:secrecy"),
    ("delete this chat after", U18, H, "risk:secrecy"),
    ("i wanna kill myself", U18, H, "risk:self-harm"),
    ("sometimes i feel like i want to die", ADULT, H, "risk:self-harm"),
    ("honestly ive been self harming again", U18, H, "risk:self-harm"),
    ("we did a pshe lesson on self-harm today", U18, D, None),
    ("i've been self-harming since the pshe lesson", U18, H, "risk:self-harm"),
    ("i took an overdose after my psychology lecture", ADULT, F, "risk:self-harm"),
    ("in Macbeth, Lady Macbeth's suicide shows her guilt", U18, D, None),
    ("my dad hits me when hes drunk", U18, H, "risk:abuse"),
    ("he touched me and i didnt want him to", U18, H, "risk:abuse"),
    ("i dont feel safe at home", ADULT, H, "risk:abuse"),
    ("we should meet up irl sometime", U18, F, "risk:meeting"),
    ("come round mine after school", U18, H, "risk:meeting"),
    ("I'll buy you a new phone if you want", ADULT, F, "risk:gifts"),
    ("send me a pic of you", U18, H, "risk:sexual"),
    ("wat r u wearing", U18, H, "risk:sexual"),
    ("its our s3cret", U18, H, "risk:secrecy"),
    ("our little secrettt", U18, H, "risk:secrecy"),
    ("no one needs to know x", ADULT, H, "risk:secrecy"),
    ("are you home alone?", U18, H, "risk:meeting"),
    ("promise you won't tell?", U18, F, "risk:secrecy"),
    ("kms this homework is so long", U18, F, "risk:self-harm"),
    ("I can pick you up from the station", ADULT, F, "risk:meeting"),
    ("where do you live?", U18, F, "risk:meeting"),
    ("send nudes", ADULT, H, "risk:sexual"),
    ("i'll send you money for the trip", U18, F, "risk:gifts"),
    ("whats your bank details", ADULT, H, "risk:gifts"),
    ("Don’t tell anyone", U18, F, "risk:secrecy"),
    ("DONT TELL ANYBODY", U18, F, "risk:secrecy"),
    ("do not tell anyone!!", ADULT, F, "risk:secrecy"),
    ("keep it between us yeah", U18, F, "risk:secrecy"),
    ("u can come to my house if u want", U18, H, "risk:meeting"),
    ("i just want to end it all", U18, H, "risk:self-harm"),
    ("i feel suicidal tbh", ADULT, H, "risk:self-harm"),
    ("my step dad kicked me out last night", U18, F, "risk:abuse"),
    ("do u wanna meet up in person", U18, F, "risk:meeting"),
    ("delete these messages pls", ADULT, H, "risk:secrecy"),
    ("lets meet up just the two of us", U18, H, "risk:meeting"),
    ("i'm scared to go home", U18, H, "risk:abuse"),
    # a refusal declines an offer; a refusal told of does not make the pressure go away
    ("i can give you a lift home after", ADULT, F, "risk:meeting:give you a lift"),
    ("my mum will give you a lift home after", ADULT, F, "risk:meeting:give you a lift"),
    ("he keeps sending me money", U18, H, "risk:gifts:send me money"),
    # someone else's family is not the writer's
    ("my ex's uncle keeps sending me money, he's like 40", U18, H, "risk:gifts:send me money"),
    (
        "when i said i didnt want to meet up he went 'after everything ive done for you'",
        ADULT,
        F,
        "risk:meeting:want to meet up",
    ),
]

# --------------------------------------------------------------------------- innocent messages
INNOCENT_TEXTS: list[str] = [
    "call me tomorrow at the session",
    "see you at 5.30!",
    "the trip costs £12.50",
    "it costs 1,200 pounds a year for the accommodation",
    "deadline is 12/03/2025",
    "exam is on 2025-03-12",
    "session is 17:00-18:00",
    "i was born in 2008",
    "i got 85% on my mock 😭",
    "i got a grade 7 in maths and a 5 in english",
    "we're in room 101 today",
    "page 45 q3 is confusing",
    "AQA 8461/1H paper 2 is on monday",
    "St Mary's College, 12 High Street",
    "I got 7 9s and 2 8s in my GCSEs",
    "my predicted grades are A*AA",
    "email your teacher about it",
    "I'll send it in the chat",
    "check the UCAS website",
    "the website for the course has the entry reqs",
    "Mr. Smith said i can resit",
    "pi is roughly 3.14",
    "done.Next time I'll start earlier",
    "e.g. volunteering, i.e. anything that shows commitment etc.",
    "that was a snap decision tbh",
    "the view was so instagrammable",
    "I'm on my way",
    "I deleted TikTok because it wasted my time",
    "my sister is always on snapchat",
    "i saw a tiktok about revision techniques",
    "everyone in my year uses whatsapp for the group chat",
    "my phone died sorry",
    "my phone is broken so i'm on my laptop",
    "my number one choice is Leeds",
    "my number 1 choice is leeds",
    "whats your number one tip for interviews?",
    "i need your signature on the form",
    "what's your favourite subject?",
    "can you send me the link to the google doc",
    "I'll add you to the calendar invite",
    "can you add me to the group for the workshop",
    "my mum will drop me off at 4",
    "follow the instructions on the sheet",
    "I'm meeting up with friends later",
    "that hits different",
    "the essay is due on the 21st",
    "I got a 9 in maths!!!",
    "the sesh is at 4.15 ok?",
    "school finishes at 3.20 so 4 is fine",
    "uni open day is 14th June 10am - 3pm",
    "i came 1st in the race",
    "see you b4 2nd period",
    "im in y12 doing 3 a levels",
    "my essay was 1,500 words",
    "the train is at 07:45",
    "see you at 16.30 - 17.30",
    "i have exams 12/05, 14/05 and 20/05",
    "half term is 27-31 may",
    "my ucas personal id is 123-456-7890",
    "my candidate number is 4521",
    "get the 47 bus then the 104",
    "tuition is £9,250 a year",
    "x = 0.75, y = 0.25",
    "answers: 0.5 0.25 0.75 0.125",
    "grades were 7 7 6 6 5 5 4 4 4 3",
    "the coach leaves at 07.30 and gets back at 19.45",
    "times are 07.00, 08.00 and 09.00",
    "gcse results day is thursday 21st august",
    "I'm at college till 4",
    "look at bbc bitesize for chemistry",
    "i'll be on at 6",
    "the teams meeting link is on the portal",
    "i use instagram for art inspo",
    "my friend got scammed on snapchat",
    "i'm not on social media much",
    "I'll message you on here tomorrow",
    "you can message me on here any time",
    "text me on here if you're running late",
    "my email notifications are off",
    "check your email for the invite",
    "i emailed my head of year",
    "send the email to admissions",
    "Oh no! I forgot",
    "one or two things to fix",
    "it was one of those days",
    "i need 3 more UCAS points",
    "ok ill try that",
    "haha that's so true 😂",
    "I got into Leeds!!! 🎉🎉",
    "thanks for today, really helpful",
    "can we reschedule to wednesday 4pm?",
    "I'm gonna revise ch. 4 tonight",
    "the address for the open day is on the uni website",
    "i live on campus next year hopefully",
    "the secret to good essays is planning",
    "my mum said i can't go to the party",
    "it's on p.45",
    "it's 5 mins away.Can you wait",
    "I love maths.It's great",
    "ok.so what now",
    "at 3.30pm",
    "v2.0 of my CV is done",
    "file is called personal_statement_v2.pdf",
    "U.K. unis are expensive",
    "add more detail to the intro",
    "let's follow up next week",
    "can you find me a good book on psychology?",
    "call me Jo, everyone does",
    "I'll call you at 5 on the platform",
    "we're @ the library",
    "see you @ 5",
    "@5pm works",
    "I'm @home today",
    "wow 10/10",
    "whats the number for childline?",
    "childline is 0800 1111 if you ever need it",
    "the samaritans number is 116 123",
    "grade boundary for a 7 was 72%",
    "0.1 + 0.2 = 0.30000000000000004 in python lol",
    "£1,299.99 for a laptop is mad",
    "15-20 hours a week",
    "1 in 4 people",
    "I'm in year 13",
    "my sister is 16 and my brother is 21",
    "meet me at the usual link at 4 x",
    "good luck tomorrow! you've got this 💪",
    "snap! same",
    "my dad is so annoying lol",
    "sorry was at football, back now",
    "the uni's email said offers come out in may",
    "I'll ask my tutor about it on Monday",
    "can u call me at 6 for our session",
    "my phone number changed so the school can't reach me",
    "my dms are a mess lol",
    "my mum will text you to say thanks",
    "I finished. Com sci next",
    "she hit me up yesterday about the party",
    "what's our secret weapon for the exam",
    "my mum will kill me if I fail",
    "I'm killing it at maths",
    "I'm dying of laughter 😂",
    "i felt so ill yesterday",
    "times are 07.00 08.00 09.00 10.00",
    "do you have a number for the careers office",
    "I saw it on instagram",
    "Do you use LinkedIn?",
    "call 999 if it's an emergency",
    "ring the school on Monday",
    "question 4.3.2 is hard",
    "my ULN is 1234567890",
    "👍",
    "I posted it on my tiktok 2 days ago",
    "samaritans also do email, jo@samaritans.org, if writing is easier",
    "You can search for apprenticeships on the government site: "
    "https://www.gov.uk/apply-apprenticeship",
    "lol @ me thinking i'd finish the essay tonight",
    "i want to die of embarrassment, i called my teacher mum in front of everyone",
    "dying of boredom in chemistry",
    "add my insta to my cv? no way",
    "tiktok 10.5 million views on that one",
    # family looking after the writer, not an offer from a mentor
    "my uncle's giving me a lift to the open day",
    "my nan keeps sending me money for the bus, bless her",
    "my big sister gives me a lift to college on her way to work",
    "my step dad gives me a lift to the station on fridays",
]

INNOCENT_ROWS: list[Row] = [
    (text, under_18, D, None) for text in INNOCENT_TEXTS for under_18 in (U18, ADULT)
]

# ------------------------------------------------- said another way (choices, gaps, word forms)
# Phrasings from messages written without sight of the rules: the same concerns in other words.
REWORDED_ROWS: list[Row] = [
    ("u dont need to tell your dad about any of this", U18, H, "risk:secrecy"),
    ("dont ever tell ur dad about us", U18, H, "risk:secrecy"),
    ("never tell your carers what we talk about", ADULT, H, "risk:secrecy"),
    ("I'd rather your parents didn't know we chat this much", ADULT, H, "risk:secrecy"),
    ("best not to mention our chats at home", U18, H, "risk:secrecy"),
    ("don't mention this to the programme coordinator ok", U18, H, "risk:secrecy"),
    ("lets keep it just between me and you", ADULT, F, "risk:secrecy"),
    ("can you clear the chat history on your side", U18, H, "risk:secrecy"),
    ("hide this conversation from your mum", U18, H, "risk:secrecy"),
    ("make sure ur dad doesnt see these messages", U18, H, "risk:secrecy"),
    ("if your carer asks who you're messaging just say it's a mate", U18, H, "risk:secrecy"),
    ("del this convo pls", U18, H, "risk:secrecy"),
    ("i'll come round yours when ur free", U18, H, "risk:meeting"),
    ("you can crash at mine if things are bad at home", ADULT, H, "risk:meeting"),
    ("what time does ur mum get back from work", U18, H, "risk:meeting"),
    ("is anyone else in the house with u rn?", U18, H, "risk:meeting"),
    ("are your parents out tonight?", U18, H, "risk:meeting"),
    ("come round to mine after college, nobody will be in", U18, H, "risk:meeting"),
    ("meet me at the park after school?", U18, F, "risk:meeting"),
    ("meet you at the library on saturday then", U18, F, "risk:meeting"),
    ("we could meet at the bowling alley after your exam", ADULT, F, "risk:meeting"),
    ("fancy meeting up irl sometime?", ADULT, F, "risk:meeting"),
    ("whereabouts do you live exactly?", U18, F, "risk:meeting"),
    ("we should hang out sometime, not on camera", ADULT, F, "risk:meeting"),
    ("let me take you for dinner to celebrate", ADULT, F, "risk:meeting"),
    ("can u send me £20, ill pay u back", ADULT, H, "risk:gifts"),
    ("could you lend me a tenner for the electric", ADULT, F, "risk:gifts"),
    ("I've sent you £20 on PayPal for the bus", U18, F, "risk:gifts"),
    ("send me ur sort code and account number", ADULT, H, "risk:gifts"),
    ("let me buy u some new trainers, u deserve it", U18, F, "risk:gifts"),
    ("ill send u an amazon voucher", U18, F, "risk:gifts"),
    ("i could pay for your driving lessons if you want", ADULT, F, "risk:gifts"),
    ("i'll pay you £100 if you do something for me", U18, H, "risk:gifts"),
    ("been thinking about ending it all", ADULT, H, "risk:self-harm"),
    ("i took loads of pills last night", ADULT, H, "risk:self-harm"),
    ("whats the point of living tbh", U18, H, "risk:self-harm"),
    ("i've started burning myself again", U18, H, "risk:self-harm"),
    ("im gonna jump off the bridge tonight", ADULT, H, "risk:self-harm"),
    ("wish i could go to sleep and not wake up", U18, H, "risk:self-harm"),
    ("i've been saving up my tablets", ADULT, H, "risk:self-harm"),
    ("the scars on my arms are getting hard to hide", U18, H, "risk:self-harm"),
    ("my mum's boyfriend touched me and i dont know what to do", U18, H, "risk:abuse"),
    ("my brother beats me up and nobody cares", U18, F, "risk:abuse"),
    ("he says he'll hurt me if i talk to other lads", ADULT, H, "risk:abuse"),
    ("my dad punched me and ive got a bruise on my face", U18, H, "risk:abuse"),
    ("she grabbed me by the neck again", U18, H, "risk:abuse"),
    ("my carer slaps me when no one's around", U18, H, "risk:abuse"),
    ("some older lads want me to take packages to Leeds on weekends", U18, H, "risk:abuse"),
    ("they're taking me to Pakistan to get married and i don't want to", U18, H, "risk:abuse"),
    ("my ex is threatening to share pics of me unless i send more", ADULT, H, "risk:abuse"),
    ("have u ever done it with anyone?", U18, F, "risk:sexual"),
    ("age is just a number", U18, H, "risk:sexual"),
    ("show me ur body on cam", U18, H, "risk:sexual"),
    ("i'll pay u for pics", U18, H, "risk:sexual"),
    ("turn your camera on, I want to see you in bed", ADULT, H, "risk:sexual"),
    ("you looked really pretty on the call today", U18, H, "risk:sexual"),
    ("you're special to me, more than my other mentees", U18, F, "risk:sexual"),
    ("oh seven seven double oh nine hundred one two three", U18, H, PHONE),
    ("oh 7 7 hundred, 900 five five five", ADULT, F, PHONE),
    ("h t t p s : / / bit . ly / 2abcD", U18, H, URL),
    ("s n a p: j a k e 0 9", U18, H, SOCIAL),
    ("sn4p: ellie.r", ADULT, F, SOCIAL),
    ("my gram is sophiexx.07", U18, H, SOCIAL),
    ("ping me on signal if u want", ADULT, F, SOCIAL),
    ("join my discord server, we do gaming nights", U18, H, SOCIAL),
    ("there's a whatsapp group for mentees, i'll add you", U18, H, SOCIAL),
    ("i'll ad u on snapp whats ur name on there", U18, H, SOCIAL),
    ("can i have ur personal email? the app wont let me attach files", ADULT, F, SOCIAL),
    ("Can I give you a quick ring on your mobile tonight instead?", U18, H, SOCIAL),
    ("postcode is B23 6TH if u wanna send it", U18, H, ADDRESS),
    ("I live at flat 3, 27 Church Lane", ADULT, F, ADDRESS),
    ("im at number 14 Elm Avenue, the house with the blue door", U18, H, ADDRESS),
    ("what's your home address? I'll send you a card", U18, H, ADDRESS),
    ("we're number 9 on Station Road, NG7 2RD", U18, H, ADDRESS),
    ("I found your Instagram, sent you a follow request :)", U18, H, SOCIAL),
    ("we could just facetime instead, its less awkward", ADULT, F, SOCIAL),
    ("the staff don't need to know about everything we chat about", U18, H, "risk:secrecy"),
    ("if anyone asks, we were just talking about your CV ok", U18, H, "risk:secrecy"),
    ("is your door shut? make sure nobody can hear", U18, H, "risk:meeting"),
    ("I'll get you that PS5 if you keep talking to me", U18, H, "risk:gifts"),
    ("burnt myself with a lighter, it's not that bad", ADULT, H, "risk:self-harm"),
    ("can't stop thinking about stepping in front of the train", ADULT, H, "risk:self-harm"),
    ("my older cousin does stuff to me when he stays over", U18, H, "risk:abuse"),
    ("if I don't run for them again they'll go for my brother", U18, H, "risk:abuse"),
    ("we could video call when you're in bed tonight", U18, H, "risk:sexual"),
]

LOOKALIKE_TEXTS = [
    "our class group chat on whatsapp is so annoying",
    "they said they'd text me the interview time",
    "ucas said they'd email me by friday",
    "I'm meeting my friends at the park later",
    "my address changed so i need to update it with student finance",
    "it was £12.99 in the sale",
    "rent is £1,250 a month in London",
    "The National Domestic Abuse Helpline is 0808 2000 247, free and open 24 hours",
    "Papyrus HOPELINE247 is 0800 068 4141 if you ever want to talk",
    "FRANK is 0300 123 6600 for honest info about drugs",
    "we can text in here, it's fine",
    "see you on the 1st",
    "my interview is on the 2nd floor of the m1 building",
    "what the hell happened in the mock",
    "my knee's bruised from netball",
    "I hurt my ankle at football",
    "I'll meet you in the video room at 5",
    "I meet up with my study group at the library on Saturdays",
    "the careers session is at the library",
    "my mum bought me a present for my birthday",
    "this essay is killing me lol",
    "I could kill for a coffee right now",
    "they cut the 42 bus route",
    "I'm cutting down on sugar",
    "my secret to revision is flashcards",
    "Highfield Academy is on Station Road",
    "see you in the next session on Thursday",
    "he hit the target in the last minute",
    "send me a picture of your timetable",
    "I was home alone all weekend revising",
    "I need to top up my oyster card",
    "i got 7 9s and 2 8s",
    "the ucas points for AAB are 128",
    "I looked up the answer on google",
    "look up the bus times on google before you set off",
    "I'll google the opening times",
    "scan the qr code on the poster for the college careers fair",
    "house hunting with mum: 2 bed terrace, £145,000, near the park",
    "in my english assignment the detective lives at 221B Baker Street lol",
    "i am the one on the left on church street in the photo",
    "i am going to the shops on market street",
    "go down the one way street and turn left",
    "the coordinates of the volcano are 19.421, -155.287",
    "i am on there as a volunteer",
    "i am as tired as you",
    "i scored 07 then 5 and 6 and 2 then 4",
    "i cant give you my personal number, but you can message me here",
    "Please don't send me your number, let's keep everything on here",
    "Sorry, I can't follow you on Instagram, the programme asks mentors not to",
    "Just finished A Little Life, the self-harm bits were hard going but it's a brilliant book",
    "I can't lend you money, I'm sorry, but let's look at the hardship fund together",
    "Mentors aren't allowed to drive mentees, so I can't give you a lift home",
    "I won't keep it a secret, I'll tell our safeguarding lead so you get help",
    "your username is your student number",
    "I got one 0 and two 7s in my exams",
]

# Accounts spoken of, not given; ads, buses and lectures that only sound like it.
LOOKALIKE_TEXTS += [
    "my email address is so cringe, i made it in year 7",
    "my insta is private now because of exams",
    "saw a fake job ad on facebook, be careful",
    "get the 8 on station road, it stops outside college",
    "the bus number 8 on station road is always late",
    "the lecture is in person instead of online this year",
    "i stopped eating meat last year, vegetarian now",
    "my mum will come and watch my match on saturday",
    "do you know which college you go to in september?",
    "i lost a stone doing couch to 5k and feel great",
]

LOOKALIKE_ROWS: list[Row] = [
    (text, under_18, D, None) for text in LOOKALIKE_TEXTS for under_18 in (U18, ADULT)
]

# Everyday ways of saying them (CONVERSATIONAL_RISK_TERMS).
CONVERSATIONAL_ROWS: list[Row] = [
    ("can i say something without it going on my record", ADULT, H, "risk:secrecy"),
    ("pls dont pass it on to my coordinator", ADULT, F, "risk:secrecy"),
    ("id rather you didnt mention our calls to your tutor", ADULT, H, "risk:secrecy"),
    ("let me take you out for pizza when results come out", ADULT, F, "risk:meeting"),
    ("can i come and watch your netball game", ADULT, F, "risk:meeting"),
    ("our next session could be at the nandos by the station", ADULT, F, "risk:meeting"),
    ("i walked past your school today, saw you outside", ADULT, H, "risk:meeting"),
    ("i live really near your house actually", ADULT, F, "risk:meeting"),
    ("happy to pay for your interview suit", ADULT, F, "risk:gifts"),
    ("can you cover the bus fare for me this week", ADULT, F, "risk:gifts"),
    ("ill post you a present for your birthday", ADULT, F, "risk:gifts"),
    ("ive planned how i would do it and when", ADULT, H, "risk:self-harm"),
    ("i keep banging my head against the door when it gets too much", ADULT, H, "risk:self-harm"),
    ("havent left my room for days", ADULT, F, "risk:self-harm"),
    ("he pushed me against the wall last night", ADULT, H, "risk:abuse"),
    ("my partner goes through my messages every night", ADULT, F, "risk:abuse"),
    ("i get scared when my stepdad comes home drunk", ADULT, F, "risk:abuse"),
    ("tilt your camera down a bit for me", ADULT, H, "risk:sexual"),
    ("you look amazing on camera today", ADULT, F, "risk:sexual"),
    ("bet the boys are all after you", ADULT, F, "risk:sexual"),
]

# Indirect ways of saying the same concerns (INDIRECT_RISK_TERMS), and what they must not catch.
INDIRECT_ROWS: list[Row] = [
    ("honestly you mustn't tell the staff about any of this", ADULT, H, "risk:secrecy"),
    ("there's no need to tell your coordinator we talked", ADULT, H, "risk:secrecy"),
    ("can you wipe this on your end before your mum sees", ADULT, H, "risk:secrecy"),
    ("what time does your dad normally get home from work?", ADULT, H, "risk:meeting"),
    ("whens ur mum working nights again", ADULT, H, "risk:meeting"),
    ("are you upstairs by yourself right now", ADULT, H, "risk:meeting"),
    ("we should link up sometime", ADULT, F, "risk:meeting"),
    ("i can get you vapes, no bother", ADULT, H, "risk:gifts"),
    ("send me your paypal and I'll sort it", ADULT, F, "risk:gifts"),
    ("how many tablets would it take", ADULT, H, "risk:self-harm"),
    ("left a note in my drawer just in case", ADULT, H, "risk:self-harm"),
    ("it'd be better if i wasn't here tbh", ADULT, H, "risk:self-harm"),
    ("they took my passport when I arrived", ADULT, H, "risk:abuse"),
    ("someone has my nudes and says they'll post them unless i pay", ADULT, H, "risk:abuse"),
    ("my stepdad beats me when he drinks", ADULT, H, "risk:abuse"),
    ("if you were just a few years older things would be different", ADULT, H, "risk:sexual"),
    ("this is more than just mentor and mentee now", ADULT, H, "risk:sexual"),
    ("shall we keep carrying on the chat over on telegram", ADULT, F, SOCIAL),
    ("my candidate number is 4471 2093 8812", ADULT, D, None),
    ("I'm writing my essay on suicide in Romeo and Juliet", ADULT, D, None),
    ("I'm doing my coursework on self harm but I self harm too", ADULT, F, "risk:self-harm"),
    ("I could kill my sister, she took my charger again", ADULT, D, None),
    ("can you send me the link to the link-up day for apprentices", ADULT, D, None),
    ("don't ever mention our chats to your social worker", ADULT, H, "risk:secrecy"),
    ("he said if I stop replying he'll post my nudes", ADULT, H, "risk:abuse"),
    ("not going to be around much longer anyway", ADULT, H, "risk:self-harm"),
    ("send me a pic of what your wearing rn", ADULT, H, "risk:sexual"),
    ("kms this essay is so long", ADULT, F, "risk:self-harm"),
    ("beat my sister 3-0 at fifa again", ADULT, D, None),
    ("look me up, just search me on insta", U18, H, SOCIAL),
    ("we're on Station Road, number 41", U18, H, ADDRESS),
    ("what road are you on? I'm nearby", U18, H, ADDRESS),
    ("it's jo dot bloggs at proton mail dot me", U18, H, EMAIL),
    ("text me a reminder on here the night before", U18, D, None),
    ("in the chemistry unit we covered how an overdose affects the liver", ADULT, D, None),
    ("my mobile begins 07700 and the rest I'll tell you later", U18, H, SOCIAL),
    ("what's the best number to reach you on in the evenings?", U18, H, SOCIAL),
    ("do you have a personal email I could write to after we finish?", U18, H, SOCIAL),
    ("connect with me on linkedin once you graduate", U18, H, SOCIAL),
    ("I'm on there as dev_coaching, just message me on there", U18, H, SOCIAL),
    ("can you drop me your insta so I can follow", U18, H, SOCIAL),
    ("could you tell me your postcode so I can see how far it is", U18, H, ADDRESS),
    ("we live on Mill Lane, number twelve", U18, H, ADDRESS),
    ("please don't share your address with people you meet online", U18, D, None),
    (
        "if anyone from the charity asks, just say we only talked about your CV",
        ADULT,
        H,
        "risk:secrecy",
    ),
    ("he told me not to tell anyone or I'd get him in trouble", ADULT, H, "risk:secrecy"),
    ("you're welcome to stay over at mine while your flat is sorted", ADULT, H, "risk:meeting"),
    ("a guy offered me £100 to look after a package for a few days", ADULT, H, "risk:gifts"),
    ("not sure I'll still be around by the results day", ADULT, H, "risk:self-harm"),
    ("some older boys keep asking if I want to earn a bit of money", ADULT, H, "risk:abuse"),
    ("he tracks my location and goes mad if I'm late home", ADULT, H, "risk:abuse"),
    ("I keep thinking about you after our calls", ADULT, H, "risk:sexual"),
    ("if an offer of easy money sounds too good to be true, it usually is", ADULT, D, None),
    ("I'd like to keep my diagnosis private from my employer", ADULT, D, None),
    ("just send it to your gmail and I'll reply from mine", U18, H, SOCIAL),
    ("I could give you my personal number for emergencies", U18, H, SOCIAL),
    ("I've added you on snapchat, accept it", U18, H, SOCIAL),
    ("my gamertag is NightOwl77 if you play", U18, H, SOCIAL),
    ("add me, I'm shadowfox#1234 on there", U18, H, SOCIAL),
    ("I have signal and telegram, whichever is easier", U18, H, SOCIAL),
    ("we have snap filters in the art lesson haha", U18, D, None),
    ("I'm at flat 2, 31 Park Road now", U18, H, ADDRESS),
    ("I live on Granby Street with my nan", U18, H, ADDRESS),
    ("I stay at my aunt's, room 4 above the bakery on Church Lane", U18, H, ADDRESS),
    ("my nan's house is the one by the chippy on Hope Street, number 7", U18, H, ADDRESS),
    ("the candidate number on my exam slip is 4471 2038 9911", U18, D, None),
    ("you're more mature than the others, I can tell you things", ADULT, H, "risk:secrecy"),
    ("I'll be in the area, come up to my room after the event", ADULT, H, "risk:meeting"),
    ("he gave me a phone and now I have to do jobs for him", ADULT, H, "risk:gifts"),
    ("sometimes I burn my arm when it gets too much", ADULT, H, "risk:self-harm"),
    ("he takes my bank card every Friday", ADULT, H, "risk:abuse"),
    ("tell me about your sex life, I won't judge", ADULT, H, "risk:sexual"),
    ("could you lend me fifty quid until payday", ADULT, F, "risk:gifts"),
    ("shall I just give you my mobile, easier than this", U18, H, SOCIAL),
    ("what address do you use for email?", U18, H, SOCIAL),
    ("my roblox user is Star_Maker2010", U18, H, SOCIAL),
    ("we're at number 8, second floor, Leith Walk Road", U18, H, ADDRESS),
    ("post it to 14a Holloway Road, N7", U18, H, ADDRESS),
    ("I'm on Elm Terrace, the green door", U18, H, ADDRESS),
    ("I'll wait outside for you after college", ADULT, H, "risk:meeting"),
    ("been thinking about ending it tbh", ADULT, H, "risk:self-harm"),
    ("what's the most painless way to do it", ADULT, H, "risk:self-harm"),
    ("lads your age don't know how to treat you", ADULT, H, "risk:sexual"),
    ("can I give you my mobile phone charger back on Friday at the session", U18, D, None),
    ("it's 07700 900 and then 913 on the end", U18, H, PHONE),
    ("room 0712 then 345 then 678 for the mock", U18, D, None),
    ("jo.b_at_hotmail_dot_co_dot_uk", U18, H, EMAIL),
    ("hxxps://jo-b.example.org/about", U18, H, URL),
    ("the form is on gov.uk, search student finance", U18, D, None),
    ("twitch: jo_plays_ if you want to watch", U18, H, SOCIAL),
    ("what's your epic name? we could squad up", U18, H, SOCIAL),
    ("come round, it's 7 Oak Avenue", U18, H, ADDRESS),
    ("the college is at 45 Park Lane, by the big Tesco", U18, D, None),
    ("12 Church Street is the library, I revise there", U18, D, None),
    ("the open day is at 1 Station Road, the sixth form centre", U18, D, None),
    ("Greenfield Academy, 2 School Lane, is where the exam is", U18, D, None),
    ("come round, it's 7 Oak Avenue by the library", U18, H, ADDRESS),
    ("7 Oak Avenue is the house with the blue door", U18, H, ADDRESS),
    ("we're in flat 5 on the third floor", U18, H, ADDRESS),
    ("what number house are you? I'll drop it off", U18, H, ADDRESS),
    ("we're in room B214 for the mock", U18, D, None),
    ("never send your bank details to someone who messages you first, it's a scam", ADULT, D, None),
    ("if someone asks you to keep secrets from your carers, that's a red flag", U18, D, None),
    (
        "I can't keep it secret if you're at risk, I'd pass it to the safeguarding team",
        ADULT,
        D,
        None,
    ),
    (
        "if anyone asks you to keep secrets that's a red flag. but don't tell your mum about us",
        ADULT,
        H,
        "risk:secrecy",
    ),
    ("I'll never report it, that's a red flag thing only teachers do", ADULT, H, "risk:secrecy"),
    (
        "my dissertation is on self-harm, could you help me structure the literature review?",
        ADULT,
        D,
        None,
    ),
]

ALL_ROWS = (
    PHONE_ROWS
    + EMAIL_ROWS
    + URL_ROWS
    + SOCIAL_ROWS
    + ADDRESS_ROWS
    + RISK_ROWS
    + INNOCENT_ROWS
    + REWORDED_ROWS
    + LOOKALIKE_ROWS
    + INDIRECT_ROWS
    + CONVERSATIONAL_ROWS
)


def _row_id(row: Row) -> str:
    text, under_18, verdict, _ = row
    return f"{'u18' if under_18 else 'adult'}-{verdict}-{text[:40]}"


@pytest.mark.parametrize("row", ALL_ROWS, ids=[_row_id(r) for r in ALL_ROWS])
def test_screening_table(row: Row) -> None:
    text, under_18, expected, kind = row
    result = screen_message(text, mentee_under_18=under_18)
    assert result.verdict is expected, result
    if kind is None:
        assert result.reasons == ()
    else:
        assert any(r == kind or r.startswith(kind + ":") for r in result.reasons), result


def test_table_is_big_enough() -> None:
    phrasings = {row[0] for row in ALL_ROWS}
    assert len(phrasings) >= 200


CONTACT_ROWS = PHONE_ROWS + EMAIL_ROWS + URL_ROWS + SOCIAL_ROWS + ADDRESS_ROWS


@pytest.mark.parametrize("text", sorted({row[0] for row in CONTACT_ROWS}))
def test_contact_details_hold_for_under_18_and_flag_for_adults(text: str) -> None:
    young = screen_message(text, mentee_under_18=True)
    adult = screen_message(text, mentee_under_18=False)
    assert young.verdict is H
    assert adult.verdict is F
    assert young.reasons == adult.reasons
    assert all(r.startswith("contact:") for r in young.reasons)


# --------------------------------------------------------------------------- severity and ranking
TEST_TERMS = (
    RiskTerm("banana", Severity.SEVERE, "fruit"),
    RiskTerm("apple", Severity.MEDIUM, "fruit"),
    RiskTerm("pear", Severity.LOW, "fruit"),
)


@pytest.mark.parametrize(
    ("text", "verdict", "reasons"),
    [
        ("a banana", H, ("risk:fruit:banana",)),
        ("an apple", F, ("risk:fruit:apple",)),
        ("a pear", F, ("risk:fruit:pear",)),
        ("pear, apple and banana", H, ("risk:fruit:banana", "risk:fruit:apple", "risk:fruit:pear")),
        ("pineapple and bananas", D, ()),
        ("nothing here", D, ()),
    ],
)
def test_severe_holds_medium_and_low_flag(
    text: str, verdict: Verdict, reasons: tuple[str, ...]
) -> None:
    for under_18 in (True, False):
        result = Screener(TEST_TERMS).screen(text, mentee_under_18=under_18)
        assert result == ScreeningResult(verdict, reasons)


@pytest.mark.parametrize(
    ("text", "under_18", "verdict", "reasons"),
    [
        ("add me on snap, apple", False, F, ("contact:social", "risk:fruit:apple")),
        ("add me on snap, apple", True, H, ("contact:social", "risk:fruit:apple")),
        ("add me on snap, banana", False, H, ("contact:social", "risk:fruit:banana")),
        ("07700 900123 banana", False, H, ("contact:phone", "risk:fruit:banana")),
        ("pear", True, F, ("risk:fruit:pear",)),
    ],
)
def test_strictest_verdict_wins(
    text: str, under_18: bool, verdict: Verdict, reasons: tuple[str, ...]
) -> None:
    result = screen_message(text, mentee_under_18=under_18, risk_terms=TEST_TERMS)
    assert result == ScreeningResult(verdict, reasons)


def test_strictest_verdict_with_default_terms() -> None:
    # contact details for an adult (FLAG) + a severe term (HOLD) -> HOLD
    result = screen_message("whatsapp me, it's our little secret", mentee_under_18=False)
    assert result.verdict is H
    assert result.reasons == ("contact:social", "risk:secrecy:our little secret")
    # contact details for an adult (FLAG) + a medium term (FLAG) -> FLAG
    result = screen_message("let's meet up, my email is jo@gmail.com", mentee_under_18=False)
    assert result.verdict is F
    assert result.reasons == ("contact:email", "contact:social", "risk:meeting:let's meet up")


@pytest.mark.parametrize(
    ("text", "verdict", "combined"),
    [
        # Secrecy around a gift, a meeting or sexual talk: held, though each part alone flags.
        ("keep it between us, I'll bring you a little something next week", H, "gifts"),
        ("I'll buy you the trainers, just keep it between us", H, "gifts"),
        ("we should meet up, don't tell anyone ok", H, "meeting"),
        ("just the two of us next time, keep this a secret", H, "meeting"),
        ("promise not to tell, but you look really sexy in that pic", H, "sexual"),
        ("keep it a secret, let's meet up and I'll buy you something", H, "gifts+meeting"),
        # Secrecy alone is often news, and a gift or a meeting alone is not kept secret.
        ("don't tell anyone but I think I smashed the exam", F, None),
        ("don't tell anyone about the surprise party for Mrs Khan", F, None),
        ("I'll buy you a hot chocolate at the open day, the coordinator said it's fine", F, None),
        ("let's meet up at the careers fair with your teacher", F, None),
        ("can u keep a secret? I got an offer from Manchester!!", D, None),
        # Contact details kept secret are contact details: for an adult mentee, flagged.
        ("don't tell anyone, my email is jo@gmail.com", F, None),
        ("add me on snap and keep it between us", F, None),
        # A gift declined is no gift: nothing is kept secret around it.
        ("keep it between us but I can't lend you money", F, None),
    ],
)
def test_secrecy_around_something_else_is_held(
    text: str, verdict: Verdict, combined: str | None
) -> None:
    result = screen_message(text, mentee_under_18=False)
    assert result.verdict is verdict, result
    expected = [f"risk:secrecy+{combined}:together"] if combined else []
    assert [r for r in result.reasons if r.endswith(":together")] == expected


# --------------------------------------------------------------------------- reasons are stable
REASON_FORMAT = re.compile(r"^(contact:(phone|email|url|social|address)|risk:[^:]+:.+)$")


def test_reasons_are_stable_and_well_formed() -> None:
    text = "my number is 07700 900123, email jo@gmail.com, add me on snap. dont tell anyone x"
    first = screen_message(text, mentee_under_18=True)
    again = Screener(DEFAULT_RISK_TERMS).screen(text, mentee_under_18=True)
    assert first == again
    assert first.reasons == (
        "contact:phone",
        "contact:email",
        "contact:social",
        "risk:secrecy:don't tell anyone",
    )
    for row in ALL_ROWS:
        reasons = screen_message(row[0], mentee_under_18=row[1]).reasons
        assert len(set(reasons)) == len(reasons)
        assert all(REASON_FORMAT.match(r) for r in reasons), reasons


def test_risk_reason_uses_the_phrase_as_configured() -> None:
    terms = [RiskTerm("  Don't   tell ", Severity.MEDIUM, "secrecy")]
    for text in ("dont tell", "don’t tell", "DO NOT TELL", "don't tell"):
        result = screen_message(text, mentee_under_18=False, risk_terms=terms)
        assert result == ScreeningResult(F, ("risk:secrecy:Don't tell",)), text


# A long message is searched only near each phrase's anchor words: a phrase is found anywhere
# in it, with its gaps, and an offer declined there is still declined.
LONG_FILLER = "we went over the personal statement again and it reads much better now. " * 13


@pytest.mark.parametrize(
    ("phrase", "verdict"),
    [
        ("keep it between us, your mum doesn't need to know", H),
        ("you can come to mine after the session", H),
        ("i can lend you money if you need", F),
        ("i can't lend you money", D),
        ("don't ever tell your mum about this", H),
        ("we went over the personal statement again", D),
    ],
)
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_phrase_is_screened_alike_anywhere_in_a_long_message(
    phrase: str, verdict: Verdict, where: str
) -> None:
    half = len(LONG_FILLER) // 2
    text = {
        "start": phrase + " " + LONG_FILLER,
        "middle": LONG_FILLER[:half] + " " + phrase + " " + LONG_FILLER[half:],
        "end": LONG_FILLER + phrase,
    }[where]
    assert len(text) <= 2000 and len(text.split()) > 150
    alone = screen_message(phrase, mentee_under_18=True)
    within = screen_message(text, mentee_under_18=True)
    assert alone.verdict is verdict
    assert (within.verdict, within.reasons) == (alone.verdict, alone.reasons)


def test_a_long_message_holds_a_phrase_stretched_over_its_every_gap() -> None:
    screener = Screener([RiskTerm("alpha * beta * gamma * delta", Severity.SEVERE, "secrecy")])
    gap = " x" * MAX_GAP_WORDS + " "
    stretched = "alpha" + gap + "beta" + gap + "gamma" + gap + "delta"
    for text in (stretched, LONG_FILLER + stretched, stretched + " " + LONG_FILLER):
        assert screener.screen(text, mentee_under_18=False).verdict is H
    too_far = "alpha" + gap + "x beta" + gap + "gamma" + gap + "delta"  # one gap word too many
    assert screener.screen(LONG_FILLER + too_far, mentee_under_18=False).verdict is D


def test_phrases_match_whole_words_only() -> None:
    terms = [RiskTerm("secret", Severity.SEVERE, "secrecy")]
    screener = Screener(terms)
    assert screener.screen("it's a secret", mentee_under_18=True).verdict is H
    assert screener.screen("secretary", mentee_under_18=True).verdict is D
    assert screener.screen("top-secret!", mentee_under_18=True).verdict is H


def _matches(phrase: str, text: str) -> bool:
    return (
        Screener([RiskTerm(phrase, Severity.SEVERE, "test")])
        .screen(text, mentee_under_18=False)
        .verdict
        is H
    )


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        # choices: any one of the words
        ("tell your mum/dad/carer", "dont tell ur carer", True),
        ("tell your mum/dad/carer", "tell your teacher", False),
        ("mum/dad hits me", "my dad hits me", True),
        # a gap: up to four other words, in that order
        ("don't * tell your dad", "don't tell your dad", True),
        ("don't * tell your dad", "dont ever tell your dad", True),
        ("don't * tell your dad", "don't you dare ever even tell your dad", True),
        ("don't * tell your dad", "don't forget, you and I must never tell your dad", False),
        ("don't * tell your dad", "tell your dad, don't", False),
        ("* keep it quiet *", "keep it quiet", True),  # gaps at the ends mean nothing
        # other forms of a phrase's words…
        ("he hits me", "he hit me", True),
        ("he hits me", "he keeps hitting me", False),  # the words stay next to each other
        ("lock me in", "they locked me in again", True),
        ("meet up irl", "fancy meeting up irl?", True),
        ("end it all", "thinking about ending it all", True),
        # …except an -ing or -ed form, which is as written, and a single word
        ("self harming", "we did a lesson on self harm", False),
        ("self harming", "i've been self harming", True),
        ("cutting myself", "i cut myself shaving", False),
        ("nudes", "nude lipstick", False),
        # sums of money are "money"
        ("send me money", "can u send me £20?", True),
        ("lend me money", "lend me 50 quid", True),
        ("lend me money", "lend me a tenner", True),
        ("send me money", "send me the £20 form", False),
        # contractions of pronouns spelt out, "hell" left alone
        ("he will hurt me", "he'll hurt me", True),
        ("he will hurt me", "what the hell hurt me", False),
    ],
)
def test_phrase_syntax(phrase: str, text: str, expected: bool) -> None:
    assert _matches(phrase, text) is expected


def test_phrase_words_include_every_choice() -> None:
    assert phrase_words("don't * tell your mum/dad") == ["do", "not", "tell", "your", "mum", "dad"]
    assert phrase_words("* / *") == []


def test_a_public_bodys_landline_is_not_a_contact_detail() -> None:
    for text in (
        "ring the college reception on 01632 960000",
        "the school office number is 01632 960000 if you're off sick",
        "call the GP surgery: 020 7946 0123",
    ):
        assert screen_message(text, mentee_under_18=True).verdict is D, text
    for text in (  # something personal between the body and the number, or a mobile
        "the school is fine but call my home on 01632 960000",
        "ring the library or my mobile, 07700 900123",
    ):
        assert screen_message(text, mentee_under_18=True).verdict is H, text


def test_signposting_sites_are_not_contact_details_but_look_alike_hosts_are() -> None:
    for text in (
        "ucas.com has it all",
        "childline.org.uk has loads of message boards",
        "https://www.youngminds.org.uk/young-person/ is really good",
    ):
        assert screen_message(text, mentee_under_18=True).verdict is D, text
    for text in ("childline.org.uk.example.com", "https://ucas.com.example.net/login"):
        assert screen_message(text, mentee_under_18=True).verdict is H, text


def test_helplines_are_not_contact_details_but_mobiles_are() -> None:
    for helpline in ("ring 0800 068 4141 any time", "Shout is 85258", "call 0808 2000 247"):
        assert screen_message(helpline, mentee_under_18=True).verdict is D, helpline
    assert screen_message("ring me on 07700 900123", mentee_under_18=True).verdict is H


def test_what_others_do_is_not_an_invitation() -> None:
    assert screen_message("they'll text me the results", mentee_under_18=True).verdict is D
    assert screen_message("my tutor said she would email me", mentee_under_18=True).verdict is D
    assert screen_message("will you text me later?", mentee_under_18=True).verdict is H


def _example_of(phrase: str) -> str:
    """The phrase written out: its first choice each time, nothing for a gap."""
    return " ".join(word.split("/")[0] for word in phrase.split() if word != "*")


def test_every_default_term_matches_itself() -> None:
    screener = Screener(DEFAULT_RISK_TERMS)
    for term in DEFAULT_RISK_TERMS:
        result = screener.screen(_example_of(term.phrase), mentee_under_18=False)
        assert f"risk:{term.category}:{term.phrase}" in result.reasons, term
        if term.severity is Severity.SEVERE:
            assert result.verdict is H, term


def test_default_terms_cover_the_required_categories() -> None:
    categories = {t.category for t in DEFAULT_RISK_TERMS}
    assert {"secrecy", "meeting", "gifts", "self-harm", "abuse"} <= categories
    assert 40 <= len(DEFAULT_RISK_TERMS) <= 1000
    assert {t.severity for t in DEFAULT_RISK_TERMS} >= {Severity.SEVERE, Severity.MEDIUM}


def test_empty_phrase_is_rejected() -> None:
    with pytest.raises(ValueError):
        Screener([RiskTerm(" ?! ", Severity.LOW, "x")])


def test_no_terms_and_empty_message() -> None:
    screener = Screener([])
    assert screener.screen("", mentee_under_18=True) == ScreeningResult(D, ())
    assert screener.screen("   ", mentee_under_18=False) == ScreeningResult(D, ())
    assert screener.screen("our little secret", mentee_under_18=True) == ScreeningResult(D, ())
    assert screener.screen("add me on snap", mentee_under_18=True).verdict is H


def test_enum_values() -> None:
    assert [v.value for v in Verdict] == ["DELIVER", "FLAG", "HOLD"]
    assert [s.value for s in Severity] == ["low", "medium", "severe"]


def test_reasons_are_described_in_plain_words() -> None:
    assert describe_reason("contact:phone") == "a phone number"
    assert describe_reason("risk:secrecy:don't tell anyone") == (
        "the phrase “don't tell anyone” (secrecy)"
    )
    assert describe_reason("risk:secrecy+gifts+meeting:together") == (
        "secrecy asked around gifts and meeting (each alone flags; together they hold)"
    )
    # A category of the phrase list cannot hold "+": its phrase "together" is only a phrase.
    assert describe_reason("risk:closeness:together") == "the phrase “together” (closeness)"
    for reason in screen_message(
        "add me on snap, my email is jo@example.com", mentee_under_18=True
    ).reasons:
        assert not describe_reason(reason).startswith("contact:")
    assert describe_reason("something:new") == "something:new"  # unknown: shown as it is


@pytest.mark.parametrize(
    ("reasons", "harm"),
    [
        (("risk:self-harm:hurt myself",), True),
        (("contact:phone", "risk:abuse:he hits me"), True),
        (("risk:self-harm:worded like known concerns (much longer)",), True),
        (("risk:abuse:worded like concerns that are held",), True),
        (("risk:secrecy:don't tell anyone", "contact:social"), False),
        (("risk:gifts:i'll buy you", "risk:secrecy+gifts:together"), False),
        (("contact:address",), False),
        ((), False),
    ],
)
def test_risks_to_the_writer_are_told_apart(reasons: tuple[str, ...], harm: bool) -> None:
    assert tells_of_harm_to_writer(reasons) is harm
