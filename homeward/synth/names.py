"""Name lists for the synthetic data generator.

Every name here is an ordinary, common given name or surname as found in
birth registrations and telephone directories in England; none is taken from,
or refers to, any real person or record. Combinations are drawn at random, so
any resemblance of a generated child to a real one is coincidence.

The lists are plain tuples so that the generator stays deterministic: the
order of the entries is part of what a seed reproduces, so append rather than
reorder when you extend them.
"""

from __future__ import annotations

# Given names common for boys born in England 2005-2016.
MALE_FIRST = (
    "Oliver", "Jack", "Harry", "Jacob", "Charlie", "Thomas", "George", "Oscar",
    "James", "William", "Noah", "Alfie", "Joshua", "Muhammad", "Leo", "Archie",
    "Ethan", "Joseph", "Freddie", "Samuel", "Alexander", "Logan", "Daniel",
    "Isaac", "Max", "Mohammed", "Benjamin", "Mason", "Lucas", "Edward",
    "Harrison", "Jake", "Dylan", "Riley", "Finley", "Theo", "Sebastian", "Adam",
    "Zachary", "Arthur", "Toby", "Jayden", "Luke", "Harley", "Lewis", "Tyler",
    "Harvey", "Matthew", "David", "Reuben", "Michael", "Elliot", "Callum",
    "Kai", "Connor", "Ryan", "Liam", "Jamie", "Cameron", "Kyle", "Bradley",
    "Nathan", "Owen", "Aaron", "Jordan", "Reece", "Kieran", "Brandon", "Louis",
    "Frankie", "Ashton", "Jenson", "Rhys", "Corey", "Declan", "Nathaniel",
    "Christopher", "Tommy", "Billy", "Ronnie", "Alex", "Caleb", "Ellis",
    "Joel", "Robert", "Stanley", "Alfred", "Henry", "Jesse", "Hayden", "Leon",
    "Marcus", "Jay", "Kayden", "Mitchell", "Ben", "Sam", "Josh", "Ibrahim",
    "Yusuf", "Omar", "Aiden", "Taylor", "Patrick", "Sean", "Ashley", "Dominic",
    "Lennon", "Rory", "Jude", "Albie", "Tobias", "Ruben", "Ewan", "Scott",
    "Shane", "Darren", "Aidan", "Junior", "Andre", "Isaiah", "Elijah",
)

# Given names common for girls born in England 2005-2016.
FEMALE_FIRST = (
    "Amelia", "Olivia", "Isla", "Emily", "Poppy", "Ava", "Isabella", "Jessica",
    "Lily", "Sophie", "Grace", "Sophia", "Mia", "Evie", "Ruby", "Ella",
    "Scarlett", "Isabelle", "Chloe", "Sienna", "Freya", "Phoebe", "Charlotte",
    "Daisy", "Alice", "Florence", "Eva", "Sofia", "Millie", "Lucy", "Evelyn",
    "Elsie", "Rosie", "Imogen", "Lola", "Matilda", "Elizabeth", "Layla",
    "Holly", "Lilly", "Molly", "Erin", "Ellie", "Maisie", "Maya", "Abigail",
    "Eliza", "Georgia", "Jasmine", "Esme", "Willow", "Bella", "Annabelle",
    "Ivy", "Amber", "Emilia", "Emma", "Summer", "Hannah", "Eleanor", "Harriet",
    "Rose", "Amelie", "Lexi", "Megan", "Gracie", "Zara", "Lacey", "Martha",
    "Anna", "Violet", "Darcey", "Maria", "Paige", "Katie", "Leah", "Courtney",
    "Shannon", "Chelsea", "Jade", "Keira", "Caitlin", "Demi", "Kayla", "Niamh",
    "Bethany", "Rebecca", "Victoria", "Natalie", "Amy", "Lauren", "Abbie",
    "Tia", "Alexandra", "Samantha", "Natasha", "Danielle", "Aaliyah", "Aisha",
    "Fatima", "Maryam", "Skye", "Tegan", "Kelsey", "Leona", "Jodie", "Nicole",
    "Stacey", "Kerry", "Kirsty", "Libby", "Madison", "Brooke",
    "Mollie", "Faith", "Hope", "Jorja", "Nevaeh", "Precious", "Amira",
)

# Surnames common in England and Wales.
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans",
    "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright",
    "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
    "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly",
    "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw",
    "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson",
    "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster",
    "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt",
    "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills",
    "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher",
    "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson",
    "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews",
    "Stewart", "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford",
    "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole", "Atkinson",
    "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien",
    "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong",
    "Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman", "Barrett",
    "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley",
    "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland", "Hawkins",
    "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy",
    "Williamson", "Bird", "Gardner", "Shah", "Dean", "Lane", "Cooke", "Bates",
    "Henderson", "Parry", "Burgess", "Bishop", "Walton", "Burns", "Nicholson",
    "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls",
    "Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson",
    "Curtis", "Hopkins", "O'Connor", "Harper", "Coleman", "Watkins", "Moss",
    "McCarthy", "Chambers", "O'Neill", "Griffin", "Sharp", "Hardy", "Wheeler",
    "Potter", "Osborne", "Johnston", "Gordon", "Doyle", "Wallace", "George",
    "Jordan", "Hutchinson", "Reeves", "Mistry", "Okafor", "Mensah", "Asante",
    "Boateng", "Adeyemi", "Nowak", "Kowalski", "Douglas",
    "Lynch", "Quinn", "Barton", "Todd", "Norris", "Frost", "Fowler", "Mann",
)

# Given names and surnames common among unaccompanied children arriving in
# England (transliterations vary; see TRANSLITERATIONS).
UASC_MALE_FIRST = (
    "Mohammed", "Ahmed", "Ali", "Omar", "Hassan", "Yusuf", "Abdullah",
    "Ibrahim", "Mustafa", "Hamid", "Samir", "Yonas", "Dawit", "Samuel",
    "Daniel", "Habib", "Karim", "Bilal", "Idris", "Rahim", "Amanuel", "Musa",
)
UASC_FEMALE_FIRST = (
    "Fatima", "Amina", "Maryam", "Hana", "Sara", "Ruth", "Helen", "Selam",
)
UASC_SURNAMES = (
    "Ahmadi", "Mohammadi", "Rahimi", "Hussaini", "Karimi", "Haidari",
    "Ibrahim", "Mohamed", "Ali", "Hassan", "Ahmed", "Osman", "Yusuf", "Abdi",
    "Tesfay", "Haile", "Berhane", "Mahmoud", "Saleh", "Omar",
)

# Spelling variants that different reporters use for the same name.
TRANSLITERATIONS = {
    "Mohammed": ("Muhammad", "Mohamed", "Mohammad"),
    "Muhammad": ("Mohammed", "Mohamed"),
    "Ahmed": ("Ahmad",),
    "Yusuf": ("Yousef", "Yusef"),
    "Hassan": ("Hasan",),
    "Ibrahim": ("Ebrahim",),
    "Mustafa": ("Mostafa",),
    "Abdullah": ("Abdulla",),
    "Ahmadi": ("Ahmady",),
    "Mohammadi": ("Mohamadi", "Muhammadi"),
    "Hussaini": ("Husseini", "Hosseini"),
    "Tesfay": ("Tesfaye",),
    "Haidari": ("Haydari",),
    "Fatima": ("Fatma",),
    "Maryam": ("Mariam",),
}

# Usual short forms of given names ("known as").
NICKNAMES = {
    "Callum": ("Cal",),
    "Elizabeth": ("Lizzie", "Beth", "Liz"),
    "Alexander": ("Alex", "Xander"),
    "Alexandra": ("Alex", "Lexi"),
    "Benjamin": ("Ben", "Benji"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Joshua": ("Josh",),
    "Jacob": ("Jake",),
    "Matthew": ("Matt",),
    "Michael": ("Mike", "Mikey"),
    "Nathan": ("Nate",),
    "Nathaniel": ("Nate", "Nat"),
    "Samuel": ("Sam", "Sammy"),
    "Thomas": ("Tom", "Tommy"),
    "William": ("Will", "Billy"),
    "James": ("Jamie", "Jim"),
    "Joseph": ("Joe", "Joey"),
    "Edward": ("Eddie", "Ed"),
    "Zachary": ("Zac", "Zach"),
    "Jayden": ("Jay",),
    "Kieran": ("Kie",),
    "Bradley": ("Brad",),
    "Cameron": ("Cam",),
    "Frederick": ("Freddie",),
    "Harrison": ("Harry",),
    "Sebastian": ("Seb",),
    "Robert": ("Rob", "Bobby"),
    "Anthony": ("Tony",),
    "Olivia": ("Liv", "Livvy"),
    "Isabella": ("Bella", "Izzy"),
    "Isabelle": ("Izzy",),
    "Jessica": ("Jess",),
    "Sophie": ("Soph",),
    "Charlotte": ("Lottie", "Charlie"),
    "Abigail": ("Abbie", "Abi"),
    "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Tori", "Vicky"),
    "Natalie": ("Nat",),
    "Natasha": ("Tash",),
    "Georgia": ("Georgie",),
    "Jasmine": ("Jas", "Jazz"),
    "Eleanor": ("Ellie", "Nell"),
    "Amelia": ("Millie", "Mia"),
    "Harriet": ("Hattie",),
    "Bethany": ("Beth",),
    "Megan": ("Meg",),
    "Imogen": ("Immy",),
    "Matilda": ("Tilly",),
    "Florence": ("Flo",),
    "Samantha": ("Sam", "Sammie"),
    "Danielle": ("Dani",),
    "Caitlin": ("Cait",),
    "Gracie": ("Grace",),
    "Kayla": ("Kay",),
    "Evelyn": ("Evie",),
    "Annabelle": ("Annie", "Bella"),
}

# Words for the names of synthetic children's homes and agencies.
PLACE_WORDS = (
    "Oak", "Willow", "Beech", "Ash", "Elm", "Birch", "Maple", "Hazel", "Holly",
    "Cedar", "Rowan", "Meadow", "Brook", "River", "Orchard", "Hill", "Field",
    "Park", "Green", "Heath", "Vale", "Ridge", "Marsh", "Bay", "Harbour",
    "Lark", "Wren", "Kestrel", "Heron", "Swan", "Fern", "Ivy", "Clover",
    "Primrose", "Bluebell", "Chestnut", "Linden", "Sycamore", "Poplar",
)
PLACE_SUFFIXES = ("field", "wood", "side", "lea", "croft", "view", "mead", "hurst", "dale", "bank")
HOME_KINDS = ("House", "Lodge", "Cottage", "Court", "Place", "Grange", "Villa")
AGENCY_KINDS = ("Fostering", "Foster Care", "Family Placements", "Fostering Services")
SEMI_KINDS = ("Supported Living", "Supported Accommodation", "Semi-Independent Living", "Young People's Service")
SCHOOL_KINDS = ("School", "Residential School", "College")
SECURE_KINDS = ("Secure Children's Home", "Secure Unit")

# Free-text notes as reporters write them.
NOTES_HOME = (
    "reported by mother", "reported by father", "reported by mother; phone switched off",
    "left after an argument at home", "did not return from school",
    "believed to be with friends", "last seen leaving home on foot",
    "took a bag of clothes", "known to visit the town centre",
    "phone going to voicemail", "reported by grandparent",
    "did not come home after college", "left the house at night, window open",
    "reported by stepfather", "previously found at a friend's address",
)
NOTES_CARE = (
    "did not return to placement by agreed time",
    "left the home after an argument with staff", "believed to be with boyfriend",
    "believed to be with girlfriend", "believed to be visiting family",
    "seen getting into a car", "left with another resident", "phone switched off",
    "did not return after a contact visit", "did not return from school",
    "staff searched the local area, no trace", "known associates in the town centre",
    "left on foot, direction unknown", "carer reports child took money and phone",
)
NOTES_ABSENT = (
    "location known, at a friend's house", "at family address, refused to return",
    "staff in contact by phone", "known to be at boyfriend's address",
    "with friend in the park, staff aware",
)
NOTES_RETURN = (
    "found at a friend's address", "returned of own accord",
    "returned of own accord, tired and hungry", "returned by police",
    "found in the town centre", "found by transport police",
    "returned to placement by taxi", "located at family address",
    "found at a relative's address", "returned, would not say where",
    "found at a railway station", "located via phone, collected by staff",
    "safe and well check done", "found in town centre, with older males",
    "returned late at night, police informed",
)
