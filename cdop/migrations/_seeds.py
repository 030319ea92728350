"""The ten standard categories of child death, in their hierarchy (the national child death
review data set): seeded by migration 0002 and by the tests' factories, since browser tests
empty the tables. A copy kept here so the migration stays as it was written."""

CATEGORIES = [
    (
        1,
        "Deliberately inflicted injury, abuse or neglect",
        "Suffocation, shaking injury, knifing, shooting, poisoning and other means of probable "
        "or definite homicide; also deaths from war, terrorism or other mass violence; includes "
        "severe neglect leading to death.",
    ),
    (
        2,
        "Suicide or deliberate self-inflicted harm",
        "Hanging, shooting, self-poisoning with paracetamol, death by self-asphyxia, from solvent "
        "inhalation, alcohol or drug abuse, or other form of self-harm.",
    ),
    (
        3,
        "Trauma and other external factors, including medical or surgical complications or error",
        "Isolated head injury, other or multiple trauma, burn injury, drowning, unintentional "
        "self-poisoning in pre-school children, anaphylaxis and other extrinsic factors.",
    ),
    (4, "Malignancy", "Solid tumours, leukaemias and lymphomas, and malignant proliferative "
     "conditions such as histiocytosis, even if the final event leading to death was infection, "
     "haemorrhage and so on."),
    (
        5,
        "Acute medical or surgical condition",
        "For example Kawasaki disease, acute nephritis, intestinal volvulus, diabetic "
        "ketoacidosis, acute asthma, intussusception, appendicitis; sudden unexpected deaths "
        "with epilepsy.",
    ),
    (
        6,
        "Chronic medical condition",
        "For example Crohn's disease, liver disease, immune deficiencies, even if the final event "
        "leading to death was infection, haemorrhage and so on. Includes cerebral palsy with "
        "clear post-perinatal cause.",
    ),
    (
        7,
        "Chromosomal, genetic and congenital anomalies",
        "Trisomies, other chromosomal disorders, single gene defects, neurodegenerative disease, "
        "cystic fibrosis, and other congenital anomalies including cardiac.",
    ),
    (
        8,
        "Perinatal or neonatal event",
        "Death ultimately related to perinatal events, for example sequelae of prematurity, "
        "antepartum and intrapartum anoxia, bronchopulmonary dysplasia, post-haemorrhagic "
        "hydrocephalus, irrespective of age at death.",
    ),
    (
        9,
        "Infection",
        "Any primary infection (that is, not a complication of one of the above categories), "
        "arising after the first postnatal week, or after discharge of a preterm baby.",
    ),
    (
        10,
        "Sudden unexpected, unexplained death",
        "Where the pathological diagnosis is either sudden infant death syndrome or "
        "unascertained, at any age. Excludes sudden unexpected death in epilepsy (category 5).",
    ),
]
